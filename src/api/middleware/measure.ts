import type Koa from 'koa';
import type { ApiMetrics } from '../metrics.js';
import type { ApiState } from '../context.js';

/** Paths outside the route table that get a label of their own; all else is `unmatched`. */
const OPERATIONS_PATHS = new Set(['/healthz', '/readyz', '/metrics', '/openapi.json']);

/**
 * Records every request's latency under its operation (or `unmatched`), and the
 * outcome of each booking request, after the response is decided.
 */
export function measureRequests(metrics: ApiMetrics): Koa.Middleware<ApiState> {
  return async function measure(ctx, next) {
    const stop = metrics.requestDuration.startTimer({ method: ctx.method });
    try {
      await next();
    } finally {
      const route =
        ctx.state.operation ?? (OPERATIONS_PATHS.has(ctx.path) ? ctx.path : 'unmatched');
      stop({ route, status: String(ctx.status) });
      if (ctx.state.operation === 'createBooking') {
        metrics.bookings.inc({ result: bookingResult(ctx) });
      }
    }
  };
}

function bookingResult(ctx: Koa.Context): string {
  if (ctx.status === 201) {
    return ctx.response.get('Idempotent-Replayed') === 'true' ? 'replayed' : 'confirmed';
  }
  const code = (ctx.body as { code?: string } | undefined)?.code;
  return code === 'sold_out' ? 'sold_out' : 'refused';
}
