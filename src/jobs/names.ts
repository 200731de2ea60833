import type { OutboxKind } from '../domain/outbox.js';

/** The BullMQ queue every notification job goes through. */
export const NOTIFICATIONS_QUEUE = 'notifications';

/** Job names on that queue. */
export const JOB_NAMES = {
  /** One outbox row: deliver it, or expand it into `emails` jobs. Job id = outbox id. */
  outbox: 'outbox',
  /**
   * Up to `EMAILS_PER_JOB` emails of a fan-out. Job id = outbox id + `.` + the first and
   * last recipient ids.
   */
  emails: 'emails',
  /** One email of a fan-out, as earlier builds queued them; still processed. */
  email: 'email',
} as const;

/**
 * Emails per fan-out job. One job per email made BullMQ's own bookkeeping (two Lua
 * scripts and a hash per job) the cost of a fan-out: 100,000 holders took 27 s on two
 * workers. A job of 100 emails is still small (about 70 KB) and its retry short.
 */
export const EMAILS_PER_JOB = 100;

export interface OutboxJobData {
  outboxId: string;
  /** The cause, for the metrics of a job that fails before its row is read. */
  kind?: OutboxKind;
}

/** One composed email, ready to send and to record under `dedupeKey`. */
export interface Email {
  /** Cause and recipient: `<outbox id>:<user id>`. */
  dedupeKey: string;
  outboxId: string;
  to: string;
  subject: string;
  text: string;
}

export interface EmailJobData extends Email {
  /** The cause of the fan-out, for the metrics. Absent on jobs queued by an older version. */
  kind?: OutboxKind;
}

export interface EmailsJobData {
  emails: Email[];
  /** The cause of the fan-out, for the metrics. */
  kind?: OutboxKind;
}

/** The de-duplication key of the email a cause sends to one recipient. */
export function dedupeKeyOf(outboxId: string, recipientId: string): string {
  return `${outboxId}:${recipientId}`;
}
