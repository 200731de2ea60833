import type { Queue } from 'bullmq';
import type { Database } from '../db/connection.js';
import { toDate, toDateOrNull, toInt } from '../db/sql.js';

/**
 * What `evbook notifications` shows and does. Outbox rows are the source of truth for
 * what is pending (not yet handed over, or in embedded mode not yet delivered) and for
 * embedded failures; BullMQ holds the state of jobs in Redis mode.
 */

export interface PendingRow {
  outboxId: string;
  kind: string;
  createdAt: string;
  attempts: number;
  lastError: string | null;
  dueAt: string | null;
}

export interface FailedItem {
  /** `outbox` for an embedded failure, `job` for a BullMQ failed job. */
  source: 'outbox' | 'job';
  id: string;
  kind: string;
  attempts: number;
  error: string | null;
  failedAt: string | null;
}

export interface SentRow {
  recipient: string;
  subject: string;
  sentAt: string;
  outboxId: string;
}

export interface NotificationsReport {
  pending: PendingRow[];
  failed: FailedItem[];
  sent: SentRow[];
  /** BullMQ job counts by state; absent in embedded mode. */
  queue?: Record<string, number>;
}

/** Lists up to `limit` of each: pending, failed and most recently sent. */
export async function notificationsReport(
  db: Database,
  queue: Queue | undefined,
  limit = 20,
): Promise<NotificationsReport> {
  const pendingRows = await db
    .knex('outbox')
    .whereNull('dispatched_at')
    .whereNull('failed_at')
    .orderBy([{ column: 'created_at' }, { column: 'id' }])
    .limit(limit)
    .select('id', 'kind', 'created_at', 'attempts', 'last_error', 'available_at');
  const failedRows = await db
    .knex('outbox')
    .whereNotNull('failed_at')
    .whereNull('dispatched_at')
    .orderBy('failed_at', 'desc')
    .limit(limit)
    .select('id', 'kind', 'attempts', 'last_error', 'failed_at');
  const sentRows = await db
    .knex('notifications')
    .orderBy('sent_at', 'desc')
    .limit(limit)
    .select('recipient', 'subject', 'sent_at', 'outbox_id');

  const failed: FailedItem[] = failedRows.map((row) => ({
    source: 'outbox',
    id: row.id,
    kind: row.kind,
    attempts: toInt(row.attempts),
    error: row.last_error,
    failedAt: toDate(row.failed_at).toISOString(),
  }));
  let counts: Record<string, number> | undefined;
  if (queue) {
    counts = await queue.getJobCounts('wait', 'active', 'delayed', 'failed', 'completed');
    for (const job of await queue.getFailed(0, limit - 1)) {
      failed.push({
        source: 'job',
        id: job.id ?? '?',
        kind: job.name,
        attempts: job.attemptsMade,
        error: job.failedReason ?? null,
        failedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
      });
    }
  }

  return {
    pending: pendingRows.map((row) => ({
      outboxId: row.id,
      kind: row.kind,
      createdAt: toDate(row.created_at).toISOString(),
      attempts: toInt(row.attempts),
      lastError: row.last_error,
      dueAt: toDateOrNull(row.available_at)?.toISOString() ?? null,
    })),
    failed,
    sent: sentRows.map((row) => ({
      recipient: row.recipient,
      subject: row.subject,
      sentAt: toDate(row.sent_at).toISOString(),
      outboxId: row.outbox_id,
    })),
    ...(counts ? { queue: counts } : {}),
  };
}

/**
 * Gives every failed notification a fresh set of attempts: embedded failures become
 * due now, failed BullMQ jobs go back to waiting. Returns how many were re-queued.
 */
export async function retryFailed(db: Database, queue: Queue | undefined): Promise<number> {
  const rows = await db
    .knex('outbox')
    .whereNotNull('failed_at')
    .whereNull('dispatched_at')
    .update({ failed_at: null, attempts: 0, available_at: null });
  let jobs = 0;
  if (queue) {
    // The list is taken once: a job failing again meanwhile waits for the next --retry.
    for (const job of await queue.getFailed(0, 9_999)) {
      await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
      jobs++;
    }
  }
  return rows + jobs;
}
