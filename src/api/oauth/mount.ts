import type Koa from 'koa';
import mount from 'koa-mount';
import { OAUTH_PREFIX, type AuthorizationServer } from '../../auth/oauth/provider.js';
import { UNAVAILABLE_DESCRIPTION } from '../../auth/oauth/unavailable.js';
import { isConnectionFailure } from '../../db/sql.js';
import type { ApiDeps, ApiState } from '../context.js';
import { interactionRouter } from './interactions.js';
import { pollPacing } from './poll-pacing.js';
import { recentHits, tokenBucket, userCodeBucket } from './limits.js';
import { countTokenFailures } from './token-failures.js';
import { tooManyAttemptsPage, unavailablePage } from './pages/consent.js';

/** RFC 8414 and OpenID discovery paths, for an issuer without a path. */
const DISCOVERY_PATHS = new Set([
  '/.well-known/oauth-authorization-server',
  '/.well-known/openid-configuration',
]);

/**
 * Everything OAuth in the host app: oidc-provider under `/oauth` (sharing the
 * host's context, hence its cookie keys), its metadata at the issuer's well-known
 * paths, the interaction pages, and the abuse limit on user-code entry. No body
 * parser runs in front of the provider: it reads its own bodies.
 */
export function oauthRoutes(deps: ApiDeps, server: AuthorizationServer): Koa.Middleware<ApiState> {
  server.provider.use(pollPacing(deps.db.knex) as never);
  server.provider.use(countTokenFailures(deps.db.knex) as never);
  const provider = mount(OAUTH_PREFIX, server.provider as unknown as Koa);
  const interactions = interactionRouter(deps, server.provider, server.cookieKeys[0]!);
  const interactionMiddleware = interactions.routes() as unknown as Koa.Middleware<ApiState>;
  const knex = deps.db.knex;
  const limit = deps.config.authRateLimit;
  const devicePath = `${OAUTH_PREFIX}/device`;
  const tokenPath = `${OAUTH_PREFIX}/token`;
  const hasSavedSession = async (ctx: Koa.Context) =>
    typeof (await server.provider.Session.get(ctx)).exp === 'number';

  const routeOAuth: Koa.Middleware<ApiState> = async (ctx, next) => {
    if (DISCOVERY_PATHS.has(ctx.path) && ctx.method === 'GET') {
      ctx.path = `${OAUTH_PREFIX}/.well-known/openid-configuration`;
      return provider(ctx, next);
    }

    if (
      ctx.path === devicePath &&
      ctx.method === 'GET' &&
      typeof ctx.query.user_code === 'string'
    ) {
      // Prefill our own code-entry page instead of the library's auto-submitting one.
      (ctx.state as { prefillUserCode?: string }).prefillUserCode = ctx.query.user_code;
      ctx.querystring = '';
    }
    if (ctx.path === devicePath && ctx.method === 'POST') {
      if (!(await hasSavedSession(ctx))) {
        // oidc-provider 9.13 answers a code-entry post without a stored session (no
        // cookie, or one past its expiry) with a 500: its error page touches a session
        // that was never saved and cannot be persisted. A fresh form is the answer.
        ctx.status = 303;
        ctx.redirect(devicePath);
        return;
      }
      const { hits, retryAfterSeconds } = await recentHits(knex, userCodeBucket(ctx.ip));
      if (hits >= limit) {
        ctx.status = 429;
        ctx.set('Retry-After', String(retryAfterSeconds));
        ctx.type = 'html';
        ctx.body = tooManyAttemptsPage(retryAfterSeconds);
        return;
      }
    }

    if (ctx.path === tokenPath && ctx.method === 'POST') {
      const { hits, retryAfterSeconds } = await recentHits(knex, tokenBucket(ctx.ip));
      if (hits >= limit) {
        // RFC 6749 has no rate-limit code; temporarily_unavailable is the nearest.
        ctx.status = 429;
        ctx.set('Retry-After', String(retryAfterSeconds));
        ctx.set('Cache-Control', 'no-store');
        ctx.body = {
          error: 'temporarily_unavailable',
          error_description: `too many failed token requests; retry in ${retryAfterSeconds} s`,
        };
        return;
      }
    }

    if (ctx.path === OAUTH_PREFIX || ctx.path.startsWith(`${OAUTH_PREFIX}/`)) {
      return provider(ctx, next);
    }
    if (ctx.path.startsWith('/interaction/')) return interactionMiddleware(ctx, next);
    return next();
  };

  /**
   * Our own limits around the provider (and its post-middlewares) read the database
   * too: an outage there is answered like one inside the provider, as a 503 in the
   * endpoint's own format, not as the API's problem+json.
   */
  return async function answerOAuthOutages(ctx, next) {
    const isOAuth = ctx.path === OAUTH_PREFIX || ctx.path.startsWith(`${OAUTH_PREFIX}/`);
    try {
      await routeOAuth(ctx, next);
    } catch (error) {
      if (!isOAuth || !isConnectionFailure(error)) throw error;
      ctx.state.logger.error({ err: error }, 'request failed');
      ctx.status = 503;
      if (ctx.path === devicePath) {
        ctx.type = 'html';
        ctx.body = unavailablePage();
      } else {
        ctx.body = {
          error: 'temporarily_unavailable',
          error_description: UNAVAILABLE_DESCRIPTION,
        };
      }
    }
    // The provider's revocation endpoint sets no Cache-Control, not even on its 503.
    if (isOAuth && ctx.status === 503) ctx.set('Cache-Control', 'no-store');
  };
}
