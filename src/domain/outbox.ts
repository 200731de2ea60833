import type { Knex } from '../db/connection.js';
import { newId } from '../shared/ids.js';

/** The causes of a notification (API.md, Notifications). */
export const OUTBOX_KINDS = [
  'booking.confirmed',
  'booking.cancelled',
  'event.changed',
  'event.cancelled',
] as const;
export type OutboxKind = (typeof OUTBOX_KINDS)[number];

/**
 * Records the intent to notify inside the caller's transaction, so it commits or
 * rolls back with its cause. The dispatcher delivers it later.
 */
export async function recordOutbox(
  trx: Knex.Transaction,
  kind: OutboxKind,
  payload: Record<string, unknown>,
  now: Date,
): Promise<string> {
  const row = outboxRow(kind, payload, now);
  await trx('outbox').insert(row);
  return row.id;
}

/** The row an outbox entry is stored as. */
export function outboxRow(kind: OutboxKind, payload: Record<string, unknown>, now: Date) {
  return {
    id: newId(),
    kind,
    payload: JSON.stringify(payload),
    created_at: now,
    dispatched_at: null,
  };
}
