import '../../auth/oauth/runtime-notice.js';
import Router from '@koa/router';
import type Koa from 'koa';
import type Provider from 'oidc-provider';
import { errors as oidcErrors } from 'oidc-provider';
import { dummyHash } from '../../auth/passwords.js';
import { checkCredentials } from '../../auth/sign-in.js';
import { SignupInput, signUp } from '../../auth/signup.js';
import { isConnectionFailure } from '../../db/sql.js';
import { getUser } from '../../domain/users/users.js';
import { ConflictError, RateLimitedError } from '../../shared/errors.js';
import type { ApiDeps, ApiState } from '../context.js';
import { csrfToken, isValidCsrf } from './csrf.js';
import { field, formBody } from './form-body.js';
import { assertUnderLimit, recordFailure, signInBucket, signUpBucket, spend } from './limits.js';
import {
  consentPage,
  interactionErrorPage,
  tooManyAttemptsPage,
  unavailablePage,
} from './pages/consent.js';
import { signInPage } from './pages/sign-in.js';
import { signUpPage } from './pages/sign-up.js';

const MESSAGES = {
  badCredentials: 'That email and password do not match an account.',
  badCsrf: 'This form has expired. Go back and try again.',
  emailTaken: 'An account with this email already exists. Sign in instead.',
  lost: 'This sign-in request has expired or was opened in another browser.',
} as const;

/**
 * The pages oidc-provider sends the browser to during the device flow: sign in or
 * sign up (the login prompt), then allow or deny (the consent prompt). Plain HTML
 * forms, each bound to the interaction by its cookie and a CSRF token.
 */
export function interactionRouter(deps: ApiDeps, provider: Provider, cookieKey: string) {
  const router = new Router<ApiState>({ prefix: '/interaction/:uid' });
  const knex = deps.db.knex;
  const limit = deps.config.authRateLimit;
  const csrf = (uid: string) => csrfToken(cookieKey, uid);
  // Hash the dummy now: else the first unknown-email sign-in pays for two scrypts.
  void dummyHash();

  router.use(htmlErrors);

  router.get('/', async (ctx) => {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    const uid = details.uid;
    if (details.prompt.name === 'login') {
      return sendPage(ctx, 200, signInPage({ uid, csrf: csrf(uid) }));
    }
    const user = await getUser(knex, String(details.session?.accountId));
    const client = await provider.Client.find(String(details.params.client_id));
    sendPage(
      ctx,
      200,
      consentPage({
        uid,
        csrf: csrf(uid),
        clientName: client?.clientName ?? String(details.params.client_id),
        userName: user.name,
        email: user.email,
        role: user.role,
      }),
    );
  });

  router.get('/signup', async (ctx) => {
    const { uid } = await provider.interactionDetails(ctx.req, ctx.res);
    sendPage(ctx, 200, signUpPage({ uid, csrf: csrf(uid) }));
  });

  router.post('/login', formBody(), requireCsrf(cookieKey), async (ctx) => {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    const bucket = signInBucket(ctx.ip);
    await assertUnderLimit(knex, bucket, limit);

    const email = field(ctx, 'email');
    const accountId = await checkCredentials(knex, email, field(ctx, 'password'));
    if (!accountId) {
      await recordFailure(knex, bucket);
      const form = { uid: details.uid, csrf: csrf(details.uid), email };
      return sendPage(ctx, 401, signInPage({ ...form, error: MESSAGES.badCredentials }));
    }
    await finish(ctx, provider, { login: { accountId } });
  });

  router.post('/signup', formBody(), requireCsrf(cookieKey), async (ctx) => {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    await spend(knex, signUpBucket(ctx.ip), limit);

    const input = {
      email: field(ctx, 'email'),
      password: field(ctx, 'password'),
      name: field(ctx, 'name'),
      role: field(ctx, 'role'),
    };
    const form = { uid: details.uid, csrf: csrf(details.uid), ...input };
    const parsed = SignupInput.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return sendPage(
        ctx,
        422,
        signUpPage({ ...form, error: `${issue.path.join('.')} ${issue.message}.` }),
      );
    }
    try {
      const user = await signUp(knex, parsed.data);
      await finish(ctx, provider, { login: { accountId: user.id } });
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      sendPage(ctx, 409, signUpPage({ ...form, error: MESSAGES.emailTaken }));
    }
  });

  router.post('/confirm', formBody(), requireCsrf(cookieKey), async (ctx) => {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    const { prompt, params, session } = details;
    if (prompt.name !== 'consent' || !session) throw new oidcErrors.SessionNotFound('no consent');

    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: String(params.client_id) });
    if (!grant) throw new oidcErrors.SessionNotFound('grant gone');
    const missing = prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [resource, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
      grant.addResourceScope(resource, scopes.join(' '));
    }
    const grantId = await grant.save();
    await finish(ctx, provider, { consent: details.grantId ? {} : { grantId } });
  });

  router.post('/deny', formBody(), requireCsrf(cookieKey), async (ctx) => {
    await provider.interactionDetails(ctx.req, ctx.res);
    await finish(
      ctx,
      provider,
      { error: 'access_denied', error_description: 'The user denied the request.' },
      false,
    );
  });

  return router;
}

async function finish(
  ctx: Koa.Context,
  provider: Provider,
  result: Record<string, unknown>,
  merge = true,
): Promise<void> {
  const to = await provider.interactionResult(ctx.req, ctx.res, result, {
    mergeWithLastSubmission: merge,
  });
  ctx.status = 303;
  ctx.redirect(to);
}

function requireCsrf(cookieKey: string): Koa.Middleware {
  return async function checkCsrf(ctx, next) {
    const uid = String(ctx.params?.uid ?? '');
    if (!isValidCsrf(cookieKey, uid, (ctx.request.body as Record<string, unknown>)?.csrf)) {
      return sendPage(ctx, 403, interactionErrorPage(MESSAGES.badCsrf));
    }
    return next();
  };
}

/** Failures on these pages are pages too, never JSON. */
async function htmlErrors(ctx: Koa.Context, next: Koa.Next): Promise<void> {
  try {
    await next();
  } catch (error) {
    // Before the OIDCProviderError case: the adapter reports an outage as one.
    if (isConnectionFailure(error)) {
      ctx.state.logger.error({ err: error }, 'request failed');
      return sendPage(ctx, 503, unavailablePage());
    }
    if (error instanceof RateLimitedError) {
      ctx.set('Retry-After', String(error.retryAfterSeconds));
      return sendPage(ctx, 429, tooManyAttemptsPage(error.retryAfterSeconds));
    }
    if (error instanceof oidcErrors.OIDCProviderError) {
      return sendPage(ctx, 400, interactionErrorPage(MESSAGES.lost));
    }
    throw error;
  }
}

function sendPage(ctx: Koa.Context, status: number, body: string): void {
  ctx.status = status;
  ctx.type = 'html';
  ctx.set('Cache-Control', 'no-store');
  ctx.body = body;
}
