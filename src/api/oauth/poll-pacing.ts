import { createHash } from 'node:crypto';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { DEVICE_CODE_GRANT } from '../../auth/oauth/provider.js';
import { countHit } from '../../auth/rate-limit.js';
import type { Knex } from '../../db/connection.js';

/** RFC 8628's default polling interval, which the server does not override. */
export const POLL_INTERVAL_SECONDS = 5;

/**
 * oidc-provider post-middleware for the token endpoint: a device-code poll that
 * comes sooner than the interval after the previous one gets `slow_down` instead
 * of `authorization_pending` (RFC 8628 §3.5). Polls are counted per device code in
 * the database, so the pace holds across `serve` processes. Only a pending answer
 * is rewritten; an approved or denied code always gets its real answer.
 */
export function pollPacing(knex: Knex) {
  return async function pacePolls(ctx: KoaContextWithOIDC, next: () => Promise<void>) {
    await next();
    const params = ctx.oidc?.params as { grant_type?: string; device_code?: string } | undefined;
    const body = ctx.body as { error?: string } | undefined;
    if (ctx.oidc?.route !== 'token' || params?.grant_type !== DEVICE_CODE_GRANT) return;
    if (body?.error !== 'authorization_pending' || !params.device_code) return;

    const bucket = `device-poll:${createHash('sha256').update(params.device_code).digest('base64url')}`;
    const { hits } = await countHit(knex, bucket, POLL_INTERVAL_SECONDS);
    if (hits > 1) {
      ctx.body = {
        error: 'slow_down',
        error_description: `poll at most every ${POLL_INTERVAL_SECONDS} seconds`,
      };
    }
  };
}
