import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Knex } from '../../db/connection.js';
import { recordFailure, tokenBucket } from './limits.js';

/** Token endpoint answers that mean a guess went wrong, not "wait". */
const FAILURES = new Set(['invalid_grant', 'invalid_client']);

/**
 * oidc-provider post-middleware: counts failed token requests (unknown, expired or
 * replayed codes and refresh tokens) per client address, for the limit `oauthRoutes`
 * checks before the next request reaches the provider.
 */
export function countTokenFailures(knex: Knex) {
  return async function recordTokenFailure(ctx: KoaContextWithOIDC, next: () => Promise<void>) {
    await next();
    const error = (ctx.body as { error?: string } | undefined)?.error;
    if (ctx.oidc?.route === 'token' && error && FAILURES.has(error)) {
      await recordFailure(knex, tokenBucket(ctx.ip));
    }
  };
}
