import type Koa from 'koa';
import type { z } from 'zod';
import type { Actor, Role } from '../../domain/actor.js';
import type { ApiDeps, ApiState } from '../context.js';

export type Method = 'get' | 'post' | 'patch' | 'delete';

/** What a handler receives: validated input, the actor and the app's dependencies. */
export interface RouteInput<B, Q> {
  /** The caller; not set on `anonymous` routes. */
  actor: Actor;
  /** The client's address (the socket's peer), for abuse limits. */
  clientAddress: string;
  params: Record<string, string>;
  body: B;
  query: Q;
  headers: Koa.Context['headers'];
  deps: ApiDeps;
}

/** What a handler returns; the status defaults to the route's success status. */
export interface RouteResult {
  body?: unknown;
  status?: number;
  headers?: Record<string, string>;
}

/**
 * One API operation, described once: the router, the validation, the role guard
 * and the OpenAPI document are all built from this.
 */
export interface Route<B = unknown, Q = unknown> {
  method: Method;
  /** Koa router path, e.g. `/v1/events/:id`. */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  /** Roles allowed to call it; anonymous callers always get 401 unless `anonymous`. */
  roles: readonly Role[];
  /** Open to callers without a token (e.g. sign-up). Default false. */
  anonymous?: boolean;
  body?: z.ZodType<B>;
  query?: z.ZodType<Q>;
  success: { status: number; description: string; schema?: z.ZodType };
  /** Statuses this operation can answer with besides success (for the docs). */
  errors: number[];
  /** Extra request headers it reads (for the docs). */
  headers?: Array<{ name: string; description: string }>;
  handle(input: RouteInput<B, Q>): Promise<RouteResult>;
}

/** Keeps the body and query types of a route tied to its schemas. */
export function defineRoute<B = undefined, Q = undefined>(route: Route<B, Q>): Route<B, Q> {
  return route;
}

export type AnyRoute = Route<any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export type { ApiState };
