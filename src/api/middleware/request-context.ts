import type Koa from 'koa';
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../shared/logger.js';
import type { ApiState } from '../context.js';

const INCOMING_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Gives each request an id (the caller's `X-Request-Id` when it is sane) and a
 * child logger bound to it, echoes the id, and logs one line per request.
 */
export function requestContext(logger: Logger): Koa.Middleware<ApiState> {
  return async function bindRequest(ctx, next) {
    const incoming = ctx.get('x-request-id');
    const requestId = INCOMING_ID.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = requestId;
    ctx.state.logger = logger.child({ requestId });
    ctx.set('X-Request-Id', requestId);
    const started = performance.now();
    try {
      await next();
    } finally {
      ctx.state.logger.debug(
        {
          method: ctx.method,
          path: ctx.path,
          status: ctx.status,
          ms: Math.round(performance.now() - started),
        },
        'request',
      );
    }
  };
}
