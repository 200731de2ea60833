import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '../../../src/db/connection.js';
import { GROUP_COMMIT_MAX, inGroupCommit } from '../../../src/db/group-commit.js';
import type { SqliteConnection } from '../../../src/db/sqlite-native.js';

describe('inGroupCommit (SQLite)', () => {
  let dir: string;
  let db: Database;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'evbook-group-'));
    db = openDatabase(`sqlite:${join(dir, 'g.sqlite')}`);
    await db.knex.raw("create table t (n integer primary key, v text not null check (v <> ''))");
  });
  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const insert =
    (n: number, v = 'x') =>
    (c: SqliteConnection) => {
      c.prepare('insert into t (n, v) values (?, ?)').run(n, v);
      return n;
    };
  const rows = async () => (await db.knex('t').orderBy('n').pluck('n')) as number[];

  it('runs the units queued in one turn in one transaction and resolves each', async () => {
    const seen: boolean[] = [];
    const results = await Promise.all(
      [1, 2, 3].map((n) =>
        inGroupCommit(db.knex, (c) => {
          seen.push(c.inTransaction);
          return insert(n)(c);
        }),
      ),
    );
    expect(results).to.deep.equal([1, 2, 3]);
    expect(seen).to.deep.equal([true, true, true]);
    expect(await rows()).to.deep.equal([1, 2, 3]);
  });

  it('rolls back only the unit that throws; the others commit', async () => {
    const outcomes = await Promise.allSettled([
      inGroupCommit(db.knex, insert(1)),
      inGroupCommit(db.knex, (c) => {
        insert(2)(c);
        throw new Error('rule broken after a write');
      }),
      inGroupCommit(db.knex, insert(3, '')), // violates the CHECK
      inGroupCommit(db.knex, insert(4)),
    ]);
    expect(outcomes.map((o) => o.status)).to.deep.equal([
      'fulfilled',
      'rejected',
      'rejected',
      'fulfilled',
    ]);
    expect((outcomes[1] as PromiseRejectedResult).reason.message).to.equal(
      'rule broken after a write',
    );
    expect((outcomes[2] as PromiseRejectedResult).reason.code).to.equal('SQLITE_CONSTRAINT_CHECK');
    expect(await rows()).to.deep.equal([1, 4]);
  });

  it('applies the other units once when one fails after writing (no unit runs twice)', async () => {
    await db.knex.raw('create table log (v text not null)');
    const log = (v: string) => (c: SqliteConnection) => {
      c.prepare('insert into log (v) values (?)').run(v);
    };
    const outcomes = await Promise.allSettled([
      inGroupCommit(db.knex, log('a')),
      inGroupCommit(db.knex, (c) => {
        log('broken')(c);
        throw new Error('after a write');
      }),
      inGroupCommit(db.knex, log('b')),
    ]);
    expect(outcomes.map((o) => o.status)).to.deep.equal(['fulfilled', 'rejected', 'fulfilled']);
    expect(await db.knex('log').orderBy('v').pluck('v')).to.deep.equal(['a', 'b']);
  });

  it('lets a later unit of the group see what an earlier one wrote', async () => {
    const [, seen] = await Promise.all([
      inGroupCommit(db.knex, insert(7)),
      inGroupCommit(
        db.knex,
        (c) => c.prepare('select count(*) as n from t').get() as { n: number },
      ),
    ]);
    expect(seen.n).to.equal(1);
  });

  it('rejects every unit of a group whose BEGIN fails, applying none', async () => {
    // Another connection holds the write lock past the busy timeout.
    const other = openDatabase(`sqlite:${join(dir, 'g.sqlite')}`);
    await other.knex.raw('pragma busy_timeout = 0');
    await db.knex.raw('pragma busy_timeout = 50');
    const held = await other.knex.transaction();
    await held.raw('insert into t (n, v) values (100, ?)', ['held']);
    try {
      const outcomes = await Promise.allSettled([
        inGroupCommit(db.knex, insert(1)),
        inGroupCommit(db.knex, insert(2)),
      ]);
      expect(outcomes.map((o) => o.status)).to.deep.equal(['rejected', 'rejected']);
      expect((outcomes[0] as PromiseRejectedResult).reason.code).to.equal('SQLITE_BUSY');
    } finally {
      await held.rollback();
      await other.close();
    }
    expect(await rows()).to.deep.equal([]);
  });

  it(`takes more than ${GROUP_COMMIT_MAX} units at once in several transactions`, async () => {
    const total = GROUP_COMMIT_MAX * 2 + 5;
    const results = await Promise.all(
      Array.from({ length: total }, (_, n) => inGroupCommit(db.knex, insert(n))),
    );
    expect(results).to.deep.equal(Array.from({ length: total }, (_, n) => n));
    expect((await rows()).length).to.equal(total);
  });

  it('starts a new group for units queued while a group commits', async () => {
    const first = inGroupCommit(db.knex, insert(1));
    await first;
    expect(await inGroupCommit(db.knex, insert(2))).to.equal(2);
    expect(await rows()).to.deep.equal([1, 2]);
  });
});
