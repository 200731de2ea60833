import type { Database, Knex } from '../db/connection.js';
import { returnedRows, toDate, toInt } from '../db/sql.js';
import type { OutboxKind } from '../domain/outbox.js';

/** An outbox row as the dispatcher and handlers see it. */
export interface OutboxEntry {
  id: string;
  kind: OutboxKind;
  payload: Record<string, unknown>;
  createdAt: Date;
  /** Attempts already made by the embedded runner (0 in Redis mode). */
  attempts: number;
}

interface OutboxRow {
  id: string;
  kind: OutboxKind;
  payload: string;
  created_at: unknown;
  attempts: unknown;
}

function toEntry(row: OutboxRow): OutboxEntry {
  return {
    id: row.id,
    kind: row.kind,
    payload: JSON.parse(row.payload) as Record<string, unknown>,
    createdAt: toDate(row.created_at),
    attempts: toInt(row.attempts),
  };
}

/**
 * Claims up to `limit` rows that are due, for `leaseMs`: nobody else claims them until
 * the lease runs out, so a process that dies holding a claim only delays its rows.
 * PostgreSQL skips rows another transaction is claiming (`FOR UPDATE SKIP LOCKED`);
 * SQLite serialises writers, so the single conditional UPDATE is already exclusive.
 */
export async function claimOutbox(
  db: Database,
  limit: number,
  leaseMs: number,
  now = new Date(),
): Promise<OutboxEntry[]> {
  const lock = db.dialect === 'postgres' ? 'for update skip locked' : '';
  const result = await db.knex.raw(
    `update outbox set available_at = ?, claimed_at = ?
      where id in (select id from outbox
                    where dispatched_at is null and failed_at is null
                      and (available_at is null or available_at <= ?)
                    order by created_at, id
                    limit ? ${lock})
      returning id, kind, payload, created_at, attempts`,
    [new Date(now.getTime() + leaseMs), now, now, limit],
  );
  return returnedRows<OutboxRow>(result)
    .map(toEntry)
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1));
}

/** Extends a claim while a long fan-out is still running (see `extendClaims`). */
export async function extendClaim(knex: Knex, id: string, leaseMs: number, now = new Date()) {
  await extendClaims(knex, [id], leaseMs, now);
}

/**
 * Extends the claims of several rows at once, of those still in hand only: not
 * dispatched, and still claimed (`claimed_at`). A dispatcher that outlived its lease
 * may renew a row that another one has since claimed and failed; that row keeps its
 * back-off instead of being made due sooner and shown as active.
 */
export async function extendClaims(knex: Knex, ids: string[], leaseMs: number, now = new Date()) {
  if (ids.length === 0) return;
  await knex('outbox')
    .whereIn('id', ids)
    .whereNull('dispatched_at')
    .whereNotNull('claimed_at')
    .update({ available_at: new Date(now.getTime() + leaseMs) });
}

/** Hands claimed rows back, due now, after a failed hand-over (e.g. Redis down). */
export async function releaseClaims(knex: Knex, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await knex('outbox').whereIn('id', ids).update({ available_at: null, claimed_at: null });
}

/** Marks rows as handed over (Redis mode) or delivered (embedded mode). */
export async function markDispatched(knex: Knex, ids: string[], now = new Date()): Promise<void> {
  if (ids.length === 0) return;
  await knex('outbox')
    .whereIn('id', ids)
    .update({ dispatched_at: now, available_at: null, claimed_at: null, last_error: null });
}

export interface AttemptFailure {
  error: string;
  /** Total attempts allowed; the row is marked failed when they are used up. */
  maxAttempts: number;
  /** Delay before the next attempt. */
  retryInMs: number;
}

/** Records a failed embedded attempt: due again after the back-off, or failed for good. */
export async function recordAttemptFailure(
  knex: Knex,
  entry: OutboxEntry,
  failure: AttemptFailure,
  now = new Date(),
): Promise<'retrying' | 'failed'> {
  const attempts = entry.attempts + 1;
  const isLast = attempts >= failure.maxAttempts;
  await knex('outbox')
    .where({ id: entry.id })
    .update({
      attempts,
      last_error: failure.error.slice(0, 2000),
      available_at: isLast ? null : new Date(now.getTime() + failure.retryInMs),
      claimed_at: null,
      failed_at: isLast ? now : null,
    });
  return isLast ? 'failed' : 'retrying';
}

/** Loads one row, or undefined when it no longer exists. */
export async function loadOutbox(knex: Knex, id: string): Promise<OutboxEntry | undefined> {
  const row = await knex<OutboxRow>('outbox')
    .where({ id })
    .first('id', 'kind', 'payload', 'created_at', 'attempts');
  return row && toEntry(row);
}

/** Outbox rows by queue state, as `/metrics` shows the queue of embedded mode. */
export interface OutboxDepth {
  /** Due now: never tried, due again after a back-off, or left by a process that died. */
  waiting: number;
  /** Claimed by a dispatcher whose lease still runs: being sent. */
  active: number;
  /** Backing off after a failed attempt. */
  delayed: number;
  /** Attempts used up; kept until `evbook notifications --retry`. */
  failed: number;
}

/**
 * Counts the undispatched rows by state in one query (over the partial index on
 * undispatched rows, so the delivered history does not make it slower).
 */
export async function outboxDepth(knex: Knex, now = new Date()): Promise<OutboxDepth> {
  const pending = 'failed_at is null';
  const due = 'available_at is null or available_at <= ?';
  const result = await knex.raw(
    `select
       sum(case when ${pending} and (${due}) then 1 else 0 end) as waiting,
       sum(case when ${pending} and available_at > ? and claimed_at is not null
                then 1 else 0 end) as active,
       sum(case when ${pending} and available_at > ? and claimed_at is null
                then 1 else 0 end) as delayed,
       sum(case when failed_at is not null then 1 else 0 end) as failed
     from outbox where dispatched_at is null`,
    [now, now, now],
  );
  const row = returnedRows<Record<keyof OutboxDepth, unknown>>(result)[0];
  return {
    waiting: toInt(row?.waiting ?? 0),
    active: toInt(row?.active ?? 0),
    delayed: toInt(row?.delayed ?? 0),
    failed: toInt(row?.failed ?? 0),
  };
}
