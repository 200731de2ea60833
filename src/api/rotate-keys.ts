import { rotateSigningKey, type SigningKey } from '../auth/keys.js';
import { rotateCookieKey } from '../auth/oauth/cookie-keys.js';
import type { Knex } from '../db/connection.js';

/**
 * Adds a new token-signing key and, when asked, a new cookie secret: the server's
 * side of `evbook rotate-keys`. Returns the newest signing key.
 */
export async function rotateServerKeys(
  knex: Knex,
  options: { cookieKey?: boolean } = {},
): Promise<SigningKey> {
  const [newest] = await rotateSigningKey(knex);
  if (options.cookieKey) await rotateCookieKey(knex);
  return newest!;
}
