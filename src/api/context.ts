import type { Registry } from 'prom-client';
import type { Database } from '../db/connection.js';
import type { AuthorizationServer } from '../auth/oauth/provider.js';
import type { TokenVerifier } from '../auth/tokens.js';
import type { Config } from '../shared/config.js';
import type { Logger } from '../shared/logger.js';
import type { Actor } from '../domain/actor.js';

/** What the API needs from the process that hosts it, passed in explicitly. */
export interface ApiDeps {
  db: Database;
  config: Readonly<Config>;
  logger: Logger;
  verifier: TokenVerifier;
  /** Answers whether the job queue is reachable; embedded mode has none to ask. */
  checkQueue?: () => Promise<void>;
  /** Adds the background work's metrics (queue depth, job failures) to `/metrics`. */
  registerMetrics?: (registry: Registry) => void;
  /** The embedded OAuth 2.0 server; without it the app serves only the resource API. */
  oauth?: AuthorizationServer;
}

/** Koa's `ctx.state` as our middlewares fill it. */
export interface ApiState {
  requestId: string;
  logger: Logger;
  /** Set by the route's authentication step. */
  actor: Actor;
  /** The operation id of the matched route, the label of its metrics. */
  operation?: string;
}
