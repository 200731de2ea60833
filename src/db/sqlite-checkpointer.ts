import { statSync } from 'node:fs';
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

/** SQLite's own default, restored while the thread is not running. */
const SQLITE_AUTOCHECKPOINT_PAGES = 1000;

/** The background checkpointer of one SQLite file. */
export interface Checkpointer {
  /** Whether the thread runs now (it runs only while the file is being written). */
  running(): boolean;
  /** Stops the thread; the last connection to close checkpoints what is left. */
  close(): Promise<void>;
}

export interface CheckpointerOptions {
  /** How often the WAL file is looked at (a stat, no database access). Default 1 s. */
  watchMs?: number;
  /** The thread starts once the WAL is this big and still being written. Default 1 MiB. */
  startBytes?: number;
  /** The thread stops after the WAL went unwritten this long. Default 60 s. */
  idleMs?: number;
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
 * The thread costs about 10 MB, so it runs only while there is writing to do: it
 * starts when the WAL file has grown past `startBytes` and is still changing, and
 * stops (handing checkpoints back to SQLite's default) after `idleMs` without a write.
 * An idle `serve` has no thread.
 *
 * `onError` hears the first failure of a streak (the file gone, say), not every tick.
 */
export async function checkpointInBackground(
  db: Database,
  onError: (message: string) => void,
  options: CheckpointerOptions = {},
): Promise<Checkpointer> {
  const { filename } = db.knex.client.config.connection as { filename: string };
  const startBytes = options.startBytes ?? 1 << 20;
  const idleMs = options.idleMs ?? 60_000;
  const autocheckpoint = (pages: number) => db.knex.raw(`pragma wal_autocheckpoint = ${pages}`);

  let thread: CheckpointThread | undefined;
  // What the last tick decided; the thread follows once the change in hand is done.
  let wanted = false;
  let changing: Promise<void> = Promise.resolve();
  let lastWrite = walState(filename);
  let lastWriteAt = Date.now();

  const start = async () => {
    await autocheckpoint(FALLBACK_AUTOCHECKPOINT_PAGES);
    thread = startCheckpointThread(filename, onError);
  };
  // `thread` is cleared last, so that whoever sees it gone also sees SQLite's own
  // checkpoints back.
  const stop = async () => {
    await thread?.close();
    await autocheckpoint(SQLITE_AUTOCHECKPOINT_PAGES);
    thread = undefined;
  };

  const watch = setInterval(() => {
    const wal = walState(filename);
    const written = wal.mtimeMs !== lastWrite.mtimeMs || wal.size !== lastWrite.size;
    lastWrite = wal;
    if (written) lastWriteAt = Date.now();
    if (!wanted && written && wal.size >= startBytes) {
      wanted = true;
      changing = changing.then(start);
    } else if (wanted && Date.now() - lastWriteAt >= idleMs) {
      wanted = false;
      changing = changing.then(stop);
    }
    changing = changing.catch((error: unknown) => onError(String((error as Error)?.message)));
  }, options.watchMs ?? 1000);
  watch.unref();

  return {
    running: () => thread !== undefined,
    async close() {
      clearInterval(watch);
      await changing;
      await thread?.close();
      thread = undefined;
    },
  };
}

/** Size and modification time of the file's WAL; zero when there is none yet. */
function walState(filename: string): { size: number; mtimeMs: number } {
  try {
    const { size, mtimeMs } = statSync(`${filename}-wal`);
    return { size, mtimeMs };
  } catch {
    return { size: 0, mtimeMs: 0 };
  }
}

/** The thread itself, started at once and running until closed. */
export interface CheckpointThread {
  close(): Promise<void>;
}

export function startCheckpointThread(
  filename: string,
  onError: (message: string) => void,
): CheckpointThread {
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
