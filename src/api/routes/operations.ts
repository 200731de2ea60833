import Router from '@koa/router';
import type { Registry } from 'prom-client';
import type { ApiDeps, ApiState } from '../context.js';
import { UnavailableError } from '../../shared/errors.js';

/**
 * Unauthenticated operational endpoints: liveness, readiness (database and queue
 * reachable), Prometheus metrics and the OpenAPI document. Expose `/metrics` to your
 * scraper only (it is bound with the API; filter it at the proxy).
 */
export function operationsRouter(
  deps: ApiDeps,
  openApi: () => unknown,
  metrics: Registry,
): Router<ApiState> {
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

  router.get('/metrics', async (ctx) => {
    ctx.type = metrics.contentType;
    ctx.body = await metrics.metrics();
  });

  router.get('/openapi.json', (ctx) => {
    ctx.body = openApi();
  });

  return router;
}
