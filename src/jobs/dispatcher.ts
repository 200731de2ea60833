import type { Database } from '../db/connection.js';
import type { Logger } from '../shared/logger.js';
import { claimOutbox } from './outbox-store.js';
import type { Transport } from './transports/transport.js';

export interface DispatcherOptions {
  db: Database;
  transport: Transport;
  logger: Logger;
  /** Pause when nothing is due or after an error. */
  pollMs: number;
}

export interface Dispatcher {
  /** Looks for due rows now instead of at the next poll. */
  wake(): void;
  /** Stops after the pass in progress. */
  close(): Promise<void>;
}

/**
 * Moves outbox rows to the transport: claims a batch of due rows, hands them over,
 * repeats while full batches come back, then sleeps `pollMs`. Any number of processes
 * may run one against the same database; claims keep them off each other's rows.
 */
export function startDispatcher(options: DispatcherOptions): Dispatcher {
  const { db, transport, logger, pollMs } = options;
  let stopped = false;
  let wakeUp: (() => void) | undefined;
  let failing = false;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const loop = (async () => {
    while (!stopped) {
      let claimed: number;
      try {
        const entries = await claimOutbox(db, transport.batchSize, transport.leaseMs);
        claimed = entries.length;
        if (claimed > 0) await transport.dispatch(entries);
        if (failing) logger.info('outbox dispatch recovered');
        failing = false;
      } catch (error) {
        claimed = 0;
        // Log the first failure of a streak at warn, the rest at debug: Redis being away
        // for an hour must not write a line per poll.
        if (!failing) logger.warn({ err: error }, 'outbox dispatch failed; will retry');
        else logger.debug({ err: error }, 'outbox dispatch still failing');
        failing = true;
      }
      if (!stopped && claimed < transport.batchSize) await sleep(pollMs);
    }
  })();

  return {
    wake: () => wakeUp?.(),
    async close() {
      stopped = true;
      wakeUp?.();
      await loop;
    },
  };
}
