import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The CSRF token of an interaction's forms: an HMAC of its uid under the cookie
 * key. Only a page of that interaction carries it, and the interaction itself is
 * bound to the browser by oidc-provider's signed cookie.
 */
export function csrfToken(key: string, uid: string): string {
  return createHmac('sha256', key).update(`csrf:${uid}`).digest('base64url');
}

export function isValidCsrf(key: string, uid: string, token: unknown): boolean {
  if (typeof token !== 'string') return false;
  const expected = Buffer.from(csrfToken(key, uid));
  const given = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
