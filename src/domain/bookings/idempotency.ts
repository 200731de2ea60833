import type { Knex } from '../../db/connection.js';

/** Idempotency keys are honoured for at least this long (API.md promises 24 h). */
export const IDEMPOTENCY_RETENTION_MS = 24 * 60 * 60 * 1000;

/** Deletes idempotency records past the retention; returns how many. */
export async function sweepIdempotencyKeys(knex: Knex, now = new Date()): Promise<number> {
  const before = new Date(now.getTime() - IDEMPOTENCY_RETENTION_MS);
  return knex('idempotency_keys').where('created_at', '<', before).delete();
}
