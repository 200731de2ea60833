import cors from '@koa/cors';
import type Koa from 'koa';
import helmet from 'koa-helmet';

/**
 * Browser-facing protections on every response: helmet's headers (no sniffing,
 * no framing, a strict content security policy, HSTS), and CORS only for the
 * origins the configuration names. With none configured, no CORS header is sent
 * and browsers on other origins cannot read responses.
 */
export function securityHeaders(corsOrigins: readonly string[]): Koa.Middleware[] {
  const steps: Koa.Middleware[] = [helmet()];
  if (corsOrigins.length > 0) {
    const allowed = new Set(corsOrigins);
    steps.push(
      cors({
        origin: (ctx) => {
          const origin = ctx.get('origin');
          return allowed.has(origin) ? origin : '';
        },
        allowMethods: ['GET', 'POST', 'PATCH', 'DELETE'],
        allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id'],
        exposeHeaders: ['X-Request-Id', 'Idempotent-Replayed', 'Retry-After', 'WWW-Authenticate'],
        maxAge: 600,
      }),
    );
  }
  return steps;
}
