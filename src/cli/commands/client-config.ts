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
