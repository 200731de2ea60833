import Sqlite from 'better-sqlite3';
import { expect } from 'chai';
import { TemporarilyUnavailable, orUnavailable } from '../../../src/auth/oauth/unavailable.js';
import { openDatabase } from '../../../src/db/connection.js';
import { isConnectionFailure } from '../../../src/db/sql.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/databases.js';
import { freePort } from '../../helpers/processes.js';

/** The first error `work` rejects with; fails the test if it resolves. */
async function failureOf(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('expected the query to fail');
}

describe('isConnectionFailure', () => {
  let sqlite: TestDatabase;
  before(async () => {
    sqlite = await createTestDatabase('sqlite');
  });
  after(async () => sqlite.destroy());

  it('recognises SQLite "database is locked" from another writer, through Knex', async function () {
    this.timeout(30_000);
    const holder = new Sqlite(sqlite.url.slice('sqlite:'.length));
    holder.exec('begin immediate');
    try {
      // Give up at once instead of after the pool's 5 s busy timeout.
      await sqlite.db.knex.raw('pragma busy_timeout = 0');
      const error = await failureOf(() =>
        sqlite.db
          .knex('rate_limits')
          .insert({ bucket: 'b', window_start: 0, hits: 1, expires_at: new Date() }),
      );
      expect((error as { code?: string }).code).to.equal('SQLITE_BUSY');
      expect(isConnectionFailure(error)).to.equal(true);
    } finally {
      holder.exec('rollback');
      holder.close();
      await sqlite.db.knex.raw('pragma busy_timeout = 5000');
    }
  });

  it('does not count a syntax error or a missing table', async () => {
    const syntax = await failureOf(() => sqlite.db.knex.raw('selec 1'));
    const missing = await failureOf(() => sqlite.db.knex('no_such_table').select());
    expect(isConnectionFailure(syntax)).to.equal(false);
    expect(isConnectionFailure(missing)).to.equal(false);
    expect(isConnectionFailure(undefined)).to.equal(false);
    expect(isConnectionFailure('ECONNREFUSED')).to.equal(false);
  });

  it('recognises a PostgreSQL server that refuses connections', async function () {
    this.timeout(30_000);
    const closed = openDatabase(`postgres://nobody@127.0.0.1:${await freePort()}/none`, {
      poolMax: 1,
    });
    try {
      const error = await failureOf(() => closed.knex.raw('select 1'));
      expect(isConnectionFailure(error), String(error)).to.equal(true);
    } finally {
      await closed.close();
    }
  });

  it('follows causes, so the OAuth server error of an outage counts too', async () => {
    const holder = new Sqlite(sqlite.url.slice('sqlite:'.length));
    holder.exec('begin immediate');
    try {
      await sqlite.db.knex.raw('pragma busy_timeout = 0');
      const error = await failureOf(() =>
        orUnavailable(() => sqlite.db.knex('rate_limits').delete()),
      );
      expect(error).to.be.instanceOf(TemporarilyUnavailable);
      expect(error).to.include({ status: 503, error: 'temporarily_unavailable', expose: true });
      expect(isConnectionFailure(error)).to.equal(true);
    } finally {
      holder.exec('rollback');
      holder.close();
      await sqlite.db.knex.raw('pragma busy_timeout = 5000');
    }
  });

  it('leaves other errors to orUnavailable callers as they were', async () => {
    const error = await failureOf(() => orUnavailable(() => sqlite.db.knex.raw('selec 1')));
    expect(error).not.to.be.instanceOf(TemporarilyUnavailable);
  });
});
