import { ApiClient } from '../../client/api-client.js';
import { clientCredentialsToken } from '../../client/oauth.js';
import { accessTokenFor } from '../../client/session.js';
import { loadConfig } from '../../shared/config.js';

/** The global flags every client command sees (`optsWithGlobals()`). */
export interface ClientFlags {
  apiUrl?: string;
  json?: boolean;
  /** false after `--no-color`. */
  color?: boolean;
  /** `--yes`: never prompt; confirmations are taken as given. */
  yes?: boolean;
}

/** The API URL a client command talks to: `--api-url`, else `EVBOOK_API_URL`. */
export function clientApiUrl(flags: ClientFlags): string {
  const overrides = flags.apiUrl ? { apiUrl: { value: flags.apiUrl, flag: '--api-url' } } : {};
  return loadConfig(process.env, overrides).apiUrl;
}

/** A client that sends the stored (and transparently refreshed) access token. */
export function signedInClient(flags: ClientFlags): ApiClient {
  const apiUrl = clientApiUrl(flags);
  return new ApiClient(apiUrl, tokenSource(apiUrl));
}

/**
 * Whether this run may ask questions: a terminal on both ends, and neither `--yes`
 * nor `--json` (scripts must never hang on a prompt).
 */
export function canPrompt(flags: ClientFlags): boolean {
  return Boolean(process.stdin.isTTY && process.stdout.isTTY) && !flags.yes && !flags.json;
}

/**
 * Where access tokens come from: an API client when `EVBOOK_CLIENT_ID` and
 * `EVBOOK_CLIENT_SECRET` are set (unattended use, nothing stored), else the
 * session `evbook login` saved.
 */
export function tokenSource(apiUrl: string, env = process.env): () => Promise<string> {
  const clientId = env.EVBOOK_CLIENT_ID;
  const clientSecret = env.EVBOOK_CLIENT_SECRET;
  if (clientId && clientSecret) {
    let cached: Promise<string> | undefined;
    return () => (cached ??= clientCredentialsToken(apiUrl, { clientId, clientSecret }));
  }
  return () => accessTokenFor(apiUrl);
}
