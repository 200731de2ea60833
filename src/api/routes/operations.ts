import Router from '@koa/router';
import type { ApiDeps, ApiState } from '../context.js';
import { UnavailableError } from '../../shared/errors.js';

/**
 * Unauthenticated operational endpoints: liveness, readiness (database and queue
 * reachable) and the OpenAPI document.
 */
export function operationsRouter(deps: ApiDeps, openApi: () => unknown): Router<ApiState> {
  const router = new Router<ApiState>();

  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });

  router.get('/readyz', async (ctx) => {
    const checks: Record<string, string> = {};
    try {
      await deps.db.knex.raw('select 1');
      checks.database = 'ok';
    } catch {
      checks.database = 'unreachable';
    }
    if (deps.checkQueue) {
      try {
        await deps.checkQueue();
        checks.queue = 'ok';
      } catch {
        checks.queue = 'unreachable';
      }
    } else {
      checks.queue = 'in-process';
    }
    const ready = Object.values(checks).every((state) => state !== 'unreachable');
    if (!ready) {
      throw new UnavailableError('not_ready', `Not ready: ${JSON.stringify(checks)}.`, {
        extra: { checks },
      });
    }
    ctx.body = { status: 'ready', checks };
  });

  router.get('/openapi.json', (ctx) => {
    ctx.body = openApi();
  });

  return router;
}
