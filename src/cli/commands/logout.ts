import { CredentialStore } from '../../client/credentials.js';
import { discover, revoke } from '../../client/oauth.js';
import { printResult } from '../output.js';
import { clientApiUrl, type ClientFlags } from './client-config.js';

/** `evbook logout`: revokes the refresh token at the server and forgets the session. */
export async function runLogout(flags: ClientFlags): Promise<void> {
  const apiUrl = clientApiUrl(flags);
  const store = new CredentialStore();
  const session = await store.get(apiUrl);
  if (!session) return printResult('Not logged in.');

  if (session.refreshToken) await revoke(await discover(apiUrl), session.refreshToken);
  await store.set(apiUrl, undefined);
  printResult('Logged out.');
}
