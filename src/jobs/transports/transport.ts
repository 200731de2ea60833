import type { QueueDepth } from '../metrics.js';
import type { OutboxEntry } from '../outbox-store.js';

/** Where the dispatcher hands claimed outbox rows: in-process, or BullMQ on Redis. */
export interface Transport {
  readonly mode: 'embedded' | 'redis';
  /**
   * Takes rows the dispatcher claimed and settles each one: marks it dispatched, or
   * records the failed attempt. Throws when it could settle none of them (e.g. Redis
   * down); the rows are then handed back and claimed again on a later pass.
   */
  dispatch(entries: OutboxEntry[]): Promise<void>;
  /** Rows claimed per pass. */
  readonly batchSize: number;
  /** How long a claim lasts before another process may take the row. */
  readonly leaseMs: number;
  /** The queue by state, for `/metrics`: BullMQ's counts, or the outbox's. */
  readDepth(): Promise<QueueDepth>;
  /** Throws when the queue is unreachable; absent when there is no queue. */
  check?: () => Promise<void>;
  close(): Promise<void>;
}
