import * as oidc from 'openid-client';
import { AuthError, UnavailableError, UsageError } from '../shared/errors.js';
import type { StoredSession } from './credentials.js';

/** The CLI's client id at the authorization server (a public client, no secret). */
export const CLI_CLIENT_ID = 'evbook-cli';

/** An API client's credentials, for unattended use. */
export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

/** Discovers the server from its RFC 8414 metadata, as the CLI or as an API client. */
export async function discover(
  apiUrl: string,
  client?: ClientCredentials,
): Promise<oidc.Configuration> {
  const url = new URL(apiUrl);
  const clientId = client?.clientId ?? CLI_CLIENT_ID;
  const auth = client ? oidc.ClientSecretBasic(client.clientSecret) : oidc.None();
  try {
    return await oidc.discovery(url, clientId, undefined, auth, {
      algorithm: 'oauth2',
      ...(url.protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : {}),
    });
  } catch (error) {
    throw new UnavailableError('unreachable', `Cannot reach the evbook API at ${apiUrl}.`, {
      cause: error,
    });
  }
}

export interface DeviceCode {
  userCode: string;
  verificationUri: string;
  verificationUriComplete?: string;
  expiresIn: number;
}

/**
 * The device flow (RFC 8628): asks for a code, lets the caller show it, then
 * polls at the interval the server asks for until the person approves or denies.
 */
export async function deviceLogin(
  config: oidc.Configuration,
  show: (code: DeviceCode) => void,
): Promise<StoredSession> {
  const device = await oidc.initiateDeviceAuthorization(config, {});
  show({
    userCode: device.user_code,
    verificationUri: device.verification_uri,
    verificationUriComplete: device.verification_uri_complete,
    expiresIn: device.expires_in,
  });
  try {
    return toSession(await oidc.pollDeviceAuthorizationGrant(config, device));
  } catch (error) {
    const code = (error as { error?: string }).error;
    if (code === 'access_denied') throw new AuthError('The login was denied in the browser.');
    if (code === 'expired_token')
      throw new UsageError('expired', 'The code expired; run evbook login again.');
    throw error;
  }
}

/** Exchanges a refresh token; the server rotates it, so the new session replaces the old. */
export async function refresh(
  config: oidc.Configuration,
  refreshToken: string,
): Promise<StoredSession> {
  return toSession(await oidc.refreshTokenGrant(config, refreshToken));
}

/** An access token for an API client (client credentials grant); nothing is stored. */
export async function clientCredentialsToken(
  apiUrl: string,
  client: ClientCredentials,
): Promise<string> {
  const config = await discover(apiUrl, client);
  try {
    return (await oidc.clientCredentialsGrant(config)).access_token;
  } catch (error) {
    // A 401 answer comes as a WWW-Authenticate challenge rather than a body error.
    const refused =
      error instanceof oidc.WWWAuthenticateChallengeError ||
      (error as { error?: string }).error === 'invalid_client';
    if (refused) {
      throw new AuthError('The API client was refused (revoked, or a wrong secret).');
    }
    throw error;
  }
}

/** Revokes a token at the server (RFC 7009). */
export async function revoke(config: oidc.Configuration, token: string): Promise<void> {
  await oidc.tokenRevocation(config, token);
}

/** True when the server refused a grant for good (expired, revoked or reused token). */
export function isGrantRejected(error: unknown): boolean {
  return error instanceof oidc.ResponseBodyError && error.error === 'invalid_grant';
}

function toSession(tokens: oidc.TokenEndpointResponse): StoredSession {
  return {
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
    expiresAt: Date.now() + (tokens.expires_in ?? 60) * 1000,
  };
}
