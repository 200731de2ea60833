import type { OutboxKind } from '../domain/outbox.js';

/** The BullMQ queue every notification job goes through. */
export const NOTIFICATIONS_QUEUE = 'notifications';

/** Job names on that queue. */
export const JOB_NAMES = {
  /** One outbox row: deliver it, or expand it into `email` jobs. Job id = outbox id. */
  outbox: 'outbox',
  /** One email of a fan-out. Job id = outbox id + `.` + recipient id. */
  email: 'email',
} as const;

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

/** The de-duplication key of the email a cause sends to one recipient. */
export function dedupeKeyOf(outboxId: string, recipientId: string): string {
  return `${outboxId}:${recipientId}`;
}
