import { randomBytes } from 'node:crypto';
import type { Knex } from '../../db/connection.js';
import { isUniqueViolation } from '../../db/sql.js';

/**
 * The secrets that sign the OAuth server's cookies, newest first, generating the
 * first one when there is none. Processes starting together race on the primary
 * key `generation`; one insert wins and all read it back.
 */
export async function ensureCookieKeys(knex: Knex, now = new Date()): Promise<string[]> {
  const existing = await loadCookieKeys(knex);
  if (existing.length > 0) return existing;
  try {
    const secret = randomBytes(32).toString('base64url');
    await knex('cookie_keys').insert({ generation: 1, secret, created_at: now });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
  }
  return loadCookieKeys(knex);
}

async function loadCookieKeys(knex: Knex): Promise<string[]> {
  const rows = await knex<{ secret: string }>('cookie_keys').orderBy('generation', 'desc');
  return rows.map((row) => row.secret);
}

/** Adds a new newest cookie secret; cookies signed with older ones keep verifying. */
export async function rotateCookieKey(knex: Knex, now = new Date()): Promise<void> {
  const latest = await knex('cookie_keys').max<{ max: unknown }>('generation as max').first();
  const generation = Number(latest?.max ?? 0) + 1;
  const secret = randomBytes(32).toString('base64url');
  await knex('cookie_keys').insert({ generation, secret, created_at: now });
}
