import type { Queue } from 'bullmq';
import type { Database } from '../../db/connection.js';
import { withTimeout } from '../backoff.js';
import { JOB_NAMES, type OutboxJobData } from '../names.js';
import { markDispatched, releaseClaims } from '../outbox-store.js';
import { closeQueue, queueDepth } from '../redis.js';
import type { Transport } from './transport.js';

export interface BullTransportOptions {
  db: Database;
  queue: Queue;
  /** Longest wait for Redis before the rows are handed back. Default 5 s. */
  timeoutMs?: number;
}

/**
 * Redis mode: each outbox row becomes one `outbox` job whose id is the row's id, so
 * adding it again after a crash (between `addBulk` and marking the rows) adds nothing.
 * While Redis is unreachable the rows stay undispatched and are tried again.
 */
export function createBullTransport(options: BullTransportOptions): Transport {
  const { db, queue } = options;
  const timeoutMs = options.timeoutMs ?? 5000;
  return {
    mode: 'redis',
    batchSize: 500,
    leaseMs: 30_000,
    async dispatch(entries) {
      const ids = entries.map((entry) => entry.id);
      try {
        await withTimeout(
          queue.addBulk(
            entries.map((entry) => ({
              name: JOB_NAMES.outbox,
              data: { outboxId: entry.id, kind: entry.kind } satisfies OutboxJobData,
              opts: { jobId: entry.id },
            })),
          ),
          timeoutMs,
          'adding jobs to Redis',
        );
      } catch (error) {
        await releaseClaims(db.knex, ids);
        throw error;
      }
      await markDispatched(db.knex, ids);
    },
    readDepth: () => queueDepth(queue),
    check: async () => {
      await withTimeout(queue.getJobCounts('wait'), 1000, 'asking Redis for the queue');
    },
    async close() {
      await closeQueue(queue);
    },
  };
}
