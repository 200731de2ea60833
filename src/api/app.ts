import Koa from 'koa';
import type { ApiDeps, ApiState } from './context.js';
import { createMetrics } from './metrics.js';
import { measureRequests } from './middleware/measure.js';
import { problemDetails } from './middleware/problem.js';
import { securityHeaders } from './middleware/security.js';
import { requestContext } from './middleware/request-context.js';
import { buildOpenApiDocument } from './openapi.js';
import { buildRouter } from './router.js';
import { bookingRoutes } from './routes/bookings.js';
import { eventRoutes } from './routes/events.js';
import { oauthRoutes } from './oauth/mount.js';
import { apiClientRoutes } from './routes/api-clients.js';
import { meRoutes } from './routes/me.js';
import { operationsRouter } from './routes/operations.js';
import type { AnyRoute } from './routes/route.js';
import { signupRoutes } from './routes/signup.js';
import { ticketTypeRoutes } from './routes/ticket-types.js';

/** Every `/v1` operation of API.md. */
export const API_ROUTES: AnyRoute[] = [
  ...eventRoutes,
  ...ticketTypeRoutes,
  ...bookingRoutes,
  ...meRoutes,
  ...signupRoutes,
  ...apiClientRoutes,
];

/** The Koa application: operations endpoints, then the `/v1` API. */
export function createApp(deps: ApiDeps): Koa<ApiState> {
  // Behind N trusted proxies, ctx.ip is the Nth X-Forwarded-For entry from the right:
  // entries further left were written by the client and are not believed.
  const hops = deps.config.trustProxyHops;
  const app = new Koa<ApiState>({ proxy: hops > 0, maxIpsCount: hops });
  app.silent = true;

  let openApi: unknown;
  const metrics = createMetrics(deps.db.knex);
  deps.registerMetrics?.(metrics.registry);
  const api = buildRouter(API_ROUTES, deps);
  const ops = operationsRouter(
    deps,
    () => (openApi ??= buildOpenApiDocument(API_ROUTES, deps.config.publicUrl)),
    metrics.registry,
  );

  app.use(requestContext(deps.logger));
  app.use(measureRequests(metrics));
  for (const step of securityHeaders(deps.config.corsOrigins)) app.use(step);
  app.use(problemDetails());
  if (deps.oauth) {
    // koa-mount runs the provider on our context: both must sign cookies alike.
    app.keys = deps.oauth.cookieKeys;
    app.use(oauthRoutes(deps, deps.oauth));
  }
  app.use(ops.routes());
  app.use(api.routes());
  app.use(api.allowedMethods({ throw: true }));
  return app;
}
