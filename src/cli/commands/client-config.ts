import { accessTokenFor } from '../../client/session.js';
import { clientCredentialsToken } from '../../client/oauth.js';
import { loadConfig } from '../../shared/config.js';

/** Flags of the commands that talk to an API. */
export interface ClientFlags {
  apiUrl?: string;
  json?: boolean;
}

/** The API URL a client command talks to: `--api-url`, else `EVBOOK_API_URL`. */
export function clientApiUrl(flags: ClientFlags): string {
  const overrides = flags.apiUrl ? { apiUrl: { value: flags.apiUrl, flag: '--api-url' } } : {};
  return loadConfig(process.env, overrides).apiUrl;
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
