import './runtime-notice.js';
import Provider, { errors, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { Knex } from '../../db/connection.js';
import { getUser } from '../../domain/users/users.js';
import { NotFoundError } from '../../shared/errors.js';
import { ACCESS_TOKEN_ALG, loadSigningKeys } from '../keys.js';
import { tokenIdentity } from '../tokens.js';
import { knexAdapter } from './adapter.js';
import { OWNER_METADATA } from './api-clients.js';
import { ensureCookieKeys } from './cookie-keys.js';
import { orUnavailable } from './unavailable.js';

/** The public client of the CLI: device flow and refresh, no secret. */
export const CLI_CLIENT_ID = 'evbook-cli';

/** Where the provider's endpoints live; the issuer itself is the public URL. */
export const OAUTH_PREFIX = '/oauth';

const IMPLIED_SCOPE_HOOK = 'evbook_implied_scope';

/** The grant type URN of RFC 8628. */
export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** Lifetimes in seconds. Access tokens stay short: JWTs cannot be revoked. */
export const TTL = {
  accessToken: 10 * 60,
  deviceCode: 10 * 60,
  interaction: 30 * 60,
  refreshToken: 30 * 24 * 60 * 60,
  session: 14 * 24 * 60 * 60,
  grant: 30 * 24 * 60 * 60,
} as const;

/** The browser pages of the device flow, drawn by the HTTP layer. */
export interface DevicePages {
  userCodeInput(
    ctx: KoaContextWithOIDC,
    form: { action: string; xsrf: string; userCode?: string; error?: Error },
  ): Promise<void>;
  userCodeConfirm(
    ctx: KoaContextWithOIDC,
    form: { action: string; xsrf: string; userCode: string; clientName: string },
  ): Promise<void>;
  success(ctx: KoaContextWithOIDC): Promise<void>;
  error(ctx: KoaContextWithOIDC, error: { error: string; error_description?: string }): void;
}

export interface AuthorizationServerOptions {
  knex: Knex;
  publicUrl: string;
  pages: DevicePages;
  /** Called with failures the library reports as server errors. */
  onServerError?: (error: unknown) => void;
}

export interface AuthorizationServer {
  provider: Provider;
  /** The secrets its cookies are signed with; the host Koa app must use the same. */
  cookieKeys: string[];
}

/**
 * Builds the embedded OAuth 2.0 server (oidc-provider): the device flow for the
 * CLI, JWT access tokens for the API carrying `sub` and `role`, rotating refresh
 * tokens (reuse revokes the grant), revocation, all state in the database.
 */
export async function createAuthorizationServer(
  options: AuthorizationServerOptions,
): Promise<AuthorizationServer> {
  const { knex, publicUrl, pages } = options;
  const { issuer, audience } = tokenIdentity(publicUrl);
  const signingKeys = await loadSigningKeys(knex);
  const cookieKeys = await ensureCookieKeys(knex);

  const configuration: Configuration = {
    adapter: knexAdapter(knex),
    clients: [
      {
        client_id: CLI_CLIENT_ID,
        client_name: 'evbook CLI',
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        grant_types: [DEVICE_CODE_GRANT, 'refresh_token'],
        response_types: [],
        redirect_uris: [],
        id_token_signed_response_alg: ACCESS_TOKEN_ALG,
      },
    ],
    jwks: { keys: signingKeys.map((key) => key.privateJwk) as never },
    cookies: { keys: cookieKeys },
    scopes: ['openid', 'offline_access'],
    claims: { openid: ['sub'], email: ['email'], profile: ['name'] },
    findAccount: async (_ctx, sub) => {
      // Only a missing user is "no account" (an invalid_grant that ends the login); a
      // database outage must stay a retryable 503.
      const user = await orUnavailable(() => getUser(knex, sub)).catch((error: unknown) => {
        if (error instanceof NotFoundError) return undefined;
        throw error;
      });
      if (!user) return undefined;
      return {
        accountId: user.id,
        claims: async () => ({ sub: user.id, email: user.email, name: user.name }),
      };
    },
    extraClientMetadata: { properties: [OWNER_METADATA, 'evbook_name', 'evbook_created_at'] },
    formats: {
      customizers: {
        // An API client's token speaks for its owner: `sub` is the owner, not the client.
        jwt: async (ctx, token, jwt) => {
          const owner = ownerOf(ctx);
          if (token.kind === 'ClientCredentials' && owner) jwt.payload.sub = owner;
        },
      },
    },
    extraParams: {
      // Not a real parameter: its validator is the one hook that runs after the
      // library's scope checks, and gives the CLI `offline_access` without asking.
      [IMPLIED_SCOPE_HOOK]: (ctx, _value, client) => {
        const params = ctx.oidc.params as { scope?: string } | undefined;
        if (client?.clientId !== CLI_CLIENT_ID || !params) return;
        const scopes = new Set(params.scope?.split(' ').filter(Boolean));
        scopes.add('offline_access');
        params.scope = [...scopes].join(' ');
      },
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      // For API clients (unattended use): see api-clients.ts.
      clientCredentials: { enabled: true },
      introspection: { enabled: false },
      deviceFlow: {
        enabled: true,
        // 8 characters of 20 consonants: 2^34.6 codes, against a bounded number of tries.
        charset: 'base-20',
        mask: '****-****',
        userCodeInputSource: (ctx, _form, _out, err) =>
          pages.userCodeInput(ctx, {
            action: ctx.oidc.urlFor('code_verification'),
            xsrf: xsrfOf(ctx),
            userCode: (err as { userCode?: string } | undefined)?.userCode,
            error: err,
          }),
        userCodeConfirmSource: (ctx, _form, client, _info, userCode) =>
          pages.userCodeConfirm(ctx, {
            action: ctx.oidc.urlFor('code_verification'),
            xsrf: xsrfOf(ctx),
            userCode,
            clientName: client.clientName ?? client.clientId,
          }),
        successSource: (ctx) => pages.success(ctx),
      },
      revocation: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => audience,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => {
          if (resource !== audience) throw new errors.InvalidTarget();
          return {
            scope: '',
            audience,
            accessTokenTTL: TTL.accessToken,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: ACCESS_TOKEN_ALG } },
          };
        },
      },
    },
    // A consumed refresh token presented again revokes the whole grant.
    rotateRefreshToken: true,
    // The CLI gets a refresh token without asking for offline_access (API.md).
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    expiresWithSession: async () => false,
    // The role always comes from the database, never from anything the client sends.
    extraTokenClaims: async (ctx, token) => {
      const accountId = (token as { accountId?: string }).accountId ?? ownerOf(ctx);
      if (!accountId) return undefined;
      const user = await orUnavailable(() => getUser(knex, accountId));
      return { role: user.role };
    },
    ttl: {
      AccessToken: TTL.accessToken,
      ClientCredentials: TTL.accessToken,
      IdToken: TTL.accessToken,
      DeviceCode: TTL.deviceCode,
      Interaction: TTL.interaction,
      RefreshToken: TTL.refreshToken,
      Session: TTL.session,
      Grant: TTL.grant,
    },
    renderError: (ctx, out) => pages.error(ctx, out),
  };

  const provider = new Provider(issuer, configuration);
  provider.on('server_error', (_ctx, error) => options.onServerError?.(error));
  return { provider, cookieKeys };
}

/** The user an API client (client credentials) acts for, from its metadata. */
function ownerOf(ctx: KoaContextWithOIDC | undefined): string | undefined {
  const metadata = ctx?.oidc?.client?.metadata() as Record<string, unknown> | undefined;
  const owner = metadata?.[OWNER_METADATA];
  return typeof owner === 'string' ? owner : undefined;
}

function xsrfOf(ctx: KoaContextWithOIDC): string {
  return String((ctx.oidc.session?.state as { secret?: string } | undefined)?.secret ?? '');
}
