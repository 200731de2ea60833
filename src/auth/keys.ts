import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Knex } from '../db/connection.js';
import { isUniqueViolation, toInt } from '../db/sql.js';

/** The algorithm of access tokens: ECDSA P-256, compact and fast to verify. */
export const ACCESS_TOKEN_ALG = 'ES256';

export interface SigningKey {
  kid: string;
  alg: string;
  generation: number;
  privateJwk: JWK;
  publicJwk: JWK;
}

interface SigningKeyRow {
  kid: string;
  generation: unknown;
  alg: string;
  private_jwk: string;
  public_jwk: string;
}

/**
 * Returns the signing keys every `serve` process shares, generating the first one
 * when the database has none. Processes starting together race on the unique
 * `generation`: one insert wins and everybody reads the winner back. Newest first.
 */
export async function ensureSigningKeys(knex: Knex, now = new Date()): Promise<SigningKey[]> {
  const existing = await loadSigningKeys(knex);
  if (existing.length > 0) return existing;
  await insertKey(knex, 1, now);
  return loadSigningKeys(knex);
}

/**
 * Adds a new key generation. Tokens signed with older keys keep verifying until
 * they expire; retire an old key only after the access-token lifetime has passed.
 */
export async function rotateSigningKey(knex: Knex, now = new Date()): Promise<SigningKey[]> {
  const latest = await knex('signing_keys').max<{ max: unknown }>('generation as max').first();
  await insertKey(knex, toInt(latest?.max ?? 0) + 1, now);
  return loadSigningKeys(knex);
}

/** Every key not retired, newest generation first. */
export async function loadSigningKeys(knex: Knex): Promise<SigningKey[]> {
  const rows = await knex<SigningKeyRow>('signing_keys')
    .whereNull('retired_at')
    .orderBy('generation', 'desc');
  return rows.map((row) => ({
    kid: row.kid,
    alg: row.alg,
    generation: toInt(row.generation),
    privateJwk: JSON.parse(row.private_jwk) as JWK,
    publicJwk: JSON.parse(row.public_jwk) as JWK,
  }));
}

async function insertKey(knex: Knex, generation: number, now: Date): Promise<void> {
  const { privateKey, publicKey } = await generateKeyPair(ACCESS_TOKEN_ALG, { extractable: true });
  const kid = randomBytes(12).toString('base64url');
  const use = { kid, alg: ACCESS_TOKEN_ALG, use: 'sig' };
  try {
    await knex('signing_keys').insert({
      kid,
      generation,
      alg: ACCESS_TOKEN_ALG,
      private_jwk: JSON.stringify({ ...(await exportJWK(privateKey)), ...use }),
      public_jwk: JSON.stringify({ ...(await exportJWK(publicKey)), ...use }),
      created_at: now,
      retired_at: null,
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // Another process created this generation first; its key is the one we use.
  }
}
