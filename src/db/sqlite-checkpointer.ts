import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Database } from './connection.js';

/** How often the background thread checkpoints the WAL. */
export const CHECKPOINT_INTERVAL_MS = 100;

/**
 * WAL pages after which the main connection checkpoints by itself after all: the
 * fallback if the thread falls behind (a long reader) or dies. About 40 MB.
 */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 10_000;

/** The background checkpointer of one SQLite file. */
export interface Checkpointer {
  /** Stops the thread; the last connection to close checkpoints what is left. */
  close(): Promise<void>;
}

// Runs in the thread: its own connection to the file, a PASSIVE checkpoint per tick.
// PASSIVE never waits for or blocks writers; it copies what it can and stops.
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
(function run() {
  let db;
  try {
    db = new Database(workerData.filename, { fileMustExist: true });
  } catch (error) {
    parentPort.postMessage(String(error && error.message));
    parentPort.close();
    return;
  }
  let failing = false;
  const timer = setInterval(() => {
    try {
      db.pragma('wal_checkpoint(PASSIVE)');
      failing = false;
    } catch (error) {
      if (!failing) parentPort.postMessage(String(error && error.message));
      failing = true;
    }
  }, workerData.intervalMs);
  parentPort.on('message', () => {
    clearInterval(timer);
    db.close();
    parentPort.close();
  });
})();
`;

/**
 * Moves WAL checkpoints off the event loop. A checkpoint copies the WAL's pages into
 * the database file and fsyncs it; run by the committing connection (SQLite's default,
 * every 1,000 pages) it stalls every request of the process for its duration, about a
 * fifth of the booking path's time in the benchmark. Here a thread with a connection of
 * its own does it every `CHECKPOINT_INTERVAL_MS`, while the main connection's own
 * automatic checkpoint is pushed out to `FALLBACK_AUTOCHECKPOINT_PAGES`.
 *
 * `onError` hears the first failure of a streak (the file gone, say), not every tick.
 */
export async function checkpointInBackground(
  db: Database,
  onError: (message: string) => void,
): Promise<Checkpointer> {
  const { filename } = db.knex.client.config.connection as { filename: string };
  await db.knex.raw(`pragma wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
  return startCheckpointThread(filename, onError);
}

export function startCheckpointThread(
  filename: string,
  onError: (message: string) => void,
): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(THREAD_SOURCE, {
    eval: true,
    workerData: { driver, filename, intervalMs: CHECKPOINT_INTERVAL_MS },
  });
  worker.on('message', (message: string) => onError(message));
  worker.on('error', (error: unknown) => onError(String((error as Error)?.message ?? error)));
  // The thread must not keep a process alive that is otherwise done.
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));

  return {
    async close() {
      worker.postMessage('stop');
      await exited;
    },
  };
}
