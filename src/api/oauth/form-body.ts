import { bodyParser } from '@koa/bodyparser';
import type Koa from 'koa';

/** Reads an HTML form post (urlencoded, at most 16 KiB); for the interaction routes only. */
export function formBody(): Koa.Middleware {
  return bodyParser({ enableTypes: ['form'], formLimit: '16kb', encoding: 'utf-8' });
}

/** One string field of a parsed form, '' when missing or repeated. */
export function field(ctx: Koa.Context, name: string): string {
  const value = (ctx.request.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
}
