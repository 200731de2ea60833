import { AuthError } from '../shared/errors.js';
import { CredentialStore, type StoredSession } from './credentials.js';
import { withLock } from './lock.js';
import { discover, isGrantRejected, refresh } from './oauth.js';

/** Refresh this long before the access token expires. */
const EXPIRY_MARGIN_MS = 30_000;

const NOT_LOGGED_IN = 'You are not logged in; run evbook login.';
const EXPIRED = 'Your session has expired; run evbook login.';

/**
 * A valid access token for `apiUrl`, refreshed transparently when it is about to
 * expire. Refreshes are serialised across processes by a lock file, and each
 * process re-reads the store inside the lock: whoever comes second finds the
 * tokens the first one saved and does not refresh again.
 */
export async function accessTokenFor(
  apiUrl: string,
  store = new CredentialStore(),
): Promise<string> {
  const current = await store.get(apiUrl);
  if (!current) throw new AuthError(NOT_LOGGED_IN);
  if (isFresh(current)) return current.accessToken;

  return withLock(`${store.path}.lock`, async () => {
    const latest = await store.get(apiUrl);
    if (!latest) throw new AuthError(NOT_LOGGED_IN);
    if (isFresh(latest)) return latest.accessToken;
    if (!latest.refreshToken) throw new AuthError(EXPIRED);
    try {
      const renewed = await refresh(await discover(apiUrl), latest.refreshToken);
      await store.set(apiUrl, renewed);
      return renewed.accessToken;
    } catch (error) {
      if (!isGrantRejected(error)) throw error;
      await store.set(apiUrl, undefined);
      throw new AuthError(EXPIRED);
    }
  });
}

function isFresh(session: StoredSession): boolean {
  return session.expiresAt - EXPIRY_MARGIN_MS > Date.now();
}
