import type { Knex } from '../../src/db/connection.js';
import { recordOutbox, type OutboxKind } from '../../src/domain/outbox.js';

/** Writes one outbox row as a domain change would, and returns its id. */
export async function recordOutboxRow(
  knex: Knex,
  kind: OutboxKind,
  payload: Record<string, unknown>,
): Promise<string> {
  return knex.transaction((trx) => recordOutbox(trx, kind, payload, new Date()));
}
