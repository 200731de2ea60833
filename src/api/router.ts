import Router from '@koa/router';
import type Koa from 'koa';
import type { ApiDeps, ApiState } from './context.js';
import { authorize } from './middleware/authenticate.js';
import { jsonBody } from './middleware/json-body.js';
import { parseOrThrow } from './middleware/validate.js';
import type { AnyRoute } from './routes/route.js';

/**
 * Mounts each described route as a chain of small steps: authenticate and check
 * the role, read the body, validate, run the handler, respond.
 */
export function buildRouter(routes: AnyRoute[], deps: ApiDeps): Router<ApiState> {
  const router = new Router<ApiState>();
  const readJson = jsonBody(deps.config.bodyLimitBytes);

  for (const route of routes) {
    const steps: Koa.Middleware<ApiState>[] = [];
    steps.push(async (ctx, next) => {
      ctx.state.operation = route.operationId;
      if (!route.anonymous) ctx.state.actor = await authorize(ctx, deps.verifier, route.roles);
      return next();
    });
    if (route.body) steps.push(readJson);
    steps.push(async (ctx) => {
      const body = route.body ? parseOrThrow(route.body, ctx.request.body, 'body') : undefined;
      const query = route.query ? parseOrThrow(route.query, ctx.query, 'query') : undefined;

      const result = await route.handle({
        actor: ctx.state.actor,
        clientAddress: ctx.ip,
        params: ctx.params,
        body,
        query,
        headers: ctx.headers,
        deps,
      });

      ctx.status = result.status ?? route.success.status;
      for (const [name, value] of Object.entries(result.headers ?? {})) ctx.set(name, value);
      if (result.body !== undefined) ctx.body = result.body;
    });
    router[route.method](route.operationId, route.path, ...steps);
  }
  return router;
}
