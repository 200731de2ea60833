import { expect } from 'chai';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '../../../src/db/connection.js';
import {
  CHECKPOINT_INTERVAL_MS,
  FALLBACK_AUTOCHECKPOINT_PAGES,
  checkpointInBackground,
  startCheckpointThread,
} from '../../../src/db/sqlite-checkpointer.js';
import { waitFor } from '../../helpers/wait.js';

describe('checkpointInBackground (SQLite)', () => {
  let dir: string;
  let file: string;
  let db: Database;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'evbook-ckpt-'));
    file = join(dir, 'c.sqlite');
    db = openDatabase(`sqlite:${file}`);
    await db.knex.raw('create table t (v blob not null)');
  });
  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** About 2 MB of pages: fewer than the fallback threshold, more than SQLite's 1,000. */
  const write = async () => {
    for (let i = 0; i < 40; i++) {
      await db.knex('t').insert({ v: Buffer.alloc(50_000, i) });
    }
  };

  const fast = { watchMs: 20, idleMs: 400 };
  const autocheckpoint = async () =>
    (await db.knex.raw('pragma wal_autocheckpoint'))[0].wal_autocheckpoint as number;

  it('copies the WAL into the database file from its thread, not the main connection', async () => {
    const checkpointer = await checkpointInBackground(
      db,
      (reason) => {
        throw new Error(reason);
      },
      fast,
    );
    try {
      const before = statSync(file).size;
      await write();
      // Fewer pages than SQLite's own threshold: the main connection did not checkpoint.
      expect(statSync(file).size).to.equal(before);
      await waitFor('a checkpoint by the thread', () => statSync(file).size > before + 1_000_000);
      expect(checkpointer.running()).to.equal(true);
      // While the thread runs, the main connection checkpoints only as a fallback.
      expect(await autocheckpoint()).to.equal(FALLBACK_AUTOCHECKPOINT_PAGES);
    } finally {
      await checkpointer.close();
    }
    expect(checkpointer.running()).to.equal(false);
  });

  it('has no thread while nothing is written, and stops it after a quiet spell', async () => {
    const checkpointer = await checkpointInBackground(db, () => {}, fast);
    try {
      await new Promise((resolve) => setTimeout(resolve, 10 * fast.watchMs));
      expect(checkpointer.running()).to.equal(false);
      await write();
      await waitFor('the thread to start', () => checkpointer.running());
      await waitFor('the thread to stop once writes stopped', () => !checkpointer.running());
      // SQLite's own checkpoints are back.
      expect(await autocheckpoint()).to.equal(1000);
      await write();
      await waitFor('the thread to start again', () => checkpointer.running());
    } finally {
      await checkpointer.close();
    }
  });

  it('starts no thread for a WAL below the threshold', async () => {
    const checkpointer = await checkpointInBackground(db, () => {}, {
      ...fast,
      startBytes: 64 << 20,
    });
    try {
      await write();
      await new Promise((resolve) => setTimeout(resolve, 10 * fast.watchMs));
      expect(checkpointer.running()).to.equal(false);
    } finally {
      await checkpointer.close();
    }
  });

  it('stops checkpointing once closed', async () => {
    const checkpointer = await checkpointInBackground(db, () => {}, fast);
    await checkpointer.close();
    const before = statSync(file).size;
    await write();
    await new Promise((resolve) => setTimeout(resolve, 5 * CHECKPOINT_INTERVAL_MS));
    expect(statSync(file).size).to.equal(before);
  });

  it('reports a file it cannot open, and closes all the same', async () => {
    const reasons: string[] = [];
    const checkpointer = startCheckpointThread(join(dir, 'missing.sqlite'), (reason) =>
      reasons.push(reason),
    );
    await waitFor('the error report', () => reasons.length > 0);
    expect(reasons[0]).to.match(/directory does not exist|unable to open/i);
    await checkpointer.close();
  });
});
