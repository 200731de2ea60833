import type { Database } from '../../db/connection.js';
import type { Logger } from '../../shared/logger.js';
import { backoffDelay } from '../backoff.js';
import { deliverEmail, deliverEmails, recordedKeys, sendAndRecord } from '../deliver.js';
import {
  composeBookingEmails,
  handleOutbox,
  isSingleRecipient,
  type HandlerDeps,
} from '../handle-outbox.js';
import type { Mailer } from '../mailers/mailer.js';
import type { JobMetrics } from '../metrics.js';
import { JOB_NAMES, type Email } from '../names.js';
import {
  extendClaim,
  extendClaims,
  markDispatched,
  outboxDepth,
  recordAttemptFailure,
  type OutboxEntry,
} from '../outbox-store.js';
import type { Transport } from './transport.js';

export interface EmbeddedTransportOptions {
  db: Database;
  mailer: Mailer;
  logger: Logger;
  publicUrl: string;
  /** Attempts per outbox row before it is marked failed. */
  maxAttempts: number;
  /** First retry delay; doubled for each further attempt. */
  backoffMs: number;
  /** Claim lease, renewed before each row and each page of a fan-out. Default 5 minutes. */
  leaseMs?: number;
  /** Where failed attempts are counted. Default: not counted. */
  metrics?: JobMetrics;
}

/**
 * Embedded mode (no Redis): `serve` runs the handlers itself. The outbox row is the
 * job: it stays undispatched until every email of its cause was sent, and a failed
 * attempt sets it due again after an exponential back-off, until the attempts run out
 * and it is marked failed (`evbook notifications --retry` brings it back).
 */
export function createEmbeddedTransport(options: EmbeddedTransportOptions): Transport {
  const { db, mailer, logger } = options;
  const leaseMs = options.leaseMs ?? 5 * 60_000;
  const handlerDeps: HandlerDeps = { db, logger, publicUrl: options.publicUrl };
  const deliverDeps = { knex: db.knex, mailer, logger };

  async function runFanOut(entry: OutboxEntry): Promise<void> {
    let pageError: unknown;
    await handleOutbox(handlerDeps, entry, {
      deliver: async (email) => {
        await deliverEmail(deliverDeps, email);
      },
      fanOut: async (emails) => {
        try {
          await deliverEmails(deliverDeps, emails);
        } catch (error) {
          pageError ??= error;
        }
        await extendClaim(db.knex, entry.id, leaseMs);
      },
    });
    if (pageError !== undefined) throw pageError;
  }

  async function fail(entry: OutboxEntry, error: unknown): Promise<void> {
    const log = logger.child({ outboxId: entry.id, kind: entry.kind, attempt: entry.attempts + 1 });
    const message = error instanceof Error ? error.message : String(error);
    const retryInMs = backoffDelay(options.backoffMs, entry.attempts + 1);
    const state = await recordAttemptFailure(db.knex, entry, {
      error: message,
      maxAttempts: options.maxAttempts,
      retryInMs,
    });
    options.metrics?.recordFailure(JOB_NAMES.outbox, entry.kind, state === 'failed');
    if (state === 'failed') log.error({ err: error }, 'notification failed; attempts exhausted');
    else log.warn({ err: error, retryInMs }, 'notification attempt failed; will retry');
  }

  /**
   * The booking emails of a claimed batch, together: their data in two queries, the
   * already-sent check in one, then each sent and recorded on its own (so the duplicate
   * window stays one email wide), and the batch marked done in one update. The claim
   * taken with the batch covers it; it is renewed only if sending drags on.
   */
  async function runSingles(entries: OutboxEntry[]): Promise<void> {
    let emails: Map<string, Email | undefined>;
    let recorded: Set<string>;
    try {
      emails = await composeBookingEmails(handlerDeps, entries);
      const keys = [...emails.values()].flatMap((email) => (email ? [email.dedupeKey] : []));
      recorded = await recordedKeys(db.knex, keys);
    } catch (error) {
      for (const entry of entries) await fail(entry, error);
      return;
    }

    const done: string[] = [];
    const ids = entries.map((entry) => entry.id);
    let renewedAt = Date.now();
    for (const entry of entries) {
      if (Date.now() - renewedAt > leaseMs / 3) {
        // The whole batch: the rows sent but not yet marked done are still in hand,
        // and extendClaims leaves alone those whose failure was recorded.
        await extendClaims(db.knex, ids, leaseMs);
        renewedAt = Date.now();
      }
      const email = emails.get(entry.id);
      try {
        if (email && !recorded.has(email.dedupeKey)) await sendAndRecord(deliverDeps, email);
        done.push(entry.id);
      } catch (error) {
        await fail(entry, error);
      }
    }
    await markDispatched(db.knex, done);
  }

  return {
    mode: 'embedded',
    batchSize: 20,
    leaseMs,
    async dispatch(entries) {
      await runSingles(entries.filter(isSingleRecipient));
      for (const entry of entries.filter((e) => !isSingleRecipient(e))) {
        try {
          await extendClaim(db.knex, entry.id, leaseMs);
          await runFanOut(entry);
          await markDispatched(db.knex, [entry.id]);
        } catch (error) {
          await fail(entry, error);
        }
      }
    },
    readDepth: () => outboxDepth(db.knex),
    async close() {
      await mailer.close();
    },
  };
}
