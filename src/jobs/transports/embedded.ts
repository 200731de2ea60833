import type { Database } from '../../db/connection.js';
import type { Logger } from '../../shared/logger.js';
import { backoffDelay } from '../backoff.js';
import { deliverEmail, deliverEmails } from '../deliver.js';
import { handleOutbox, type HandlerDeps } from '../handle-outbox.js';
import type { Mailer } from '../mailers/mailer.js';
import {
  extendClaim,
  markDispatched,
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

  async function run(entry: OutboxEntry): Promise<void> {
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

  return {
    mode: 'embedded',
    batchSize: 20,
    leaseMs,
    async dispatch(entries) {
      for (const entry of entries) {
        const log = logger.child({
          outboxId: entry.id,
          kind: entry.kind,
          attempt: entry.attempts + 1,
        });
        try {
          await extendClaim(db.knex, entry.id, leaseMs);
          await run(entry);
          await markDispatched(db.knex, [entry.id]);
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          const retryInMs = backoffDelay(options.backoffMs, entry.attempts + 1);
          const state = await recordAttemptFailure(db.knex, entry, {
            error: message,
            maxAttempts: options.maxAttempts,
            retryInMs,
          });
          if (state === 'failed')
            log.error({ err: error }, 'notification failed; attempts exhausted');
          else log.warn({ err: error, retryInMs }, 'notification attempt failed; will retry');
        }
      }
    },
    async close() {
      await mailer.close();
    },
  };
}
