import { fileURLToPath } from 'node:url';
import knexFactory, { type Knex } from 'knex';
import { UnavailableError } from '../shared/errors.js';
import { guardTimedOutConnections } from './timed-out-connections.js';

export type { Knex };
export type Dialect = 'sqlite' | 'postgres';

/** The database handle every layer above shares: the Knex instance and its dialect. */
export interface Database {
  knex: Knex;
  dialect: Dialect;
  /** Closes the pool; the handle is unusable afterwards. */
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** Largest PostgreSQL pool. Default 10. SQLite always uses one connection. */
  poolMax?: number;
  /**
   * PostgreSQL: the longest wait for the database in one step (`EVBOOK_DB_TIMEOUT_MS`
   * in `serve` and `worker`). Opening a connection gives up after this; so does a
   * query without an answer (pg `query_timeout`; its connection is then discarded,
   * see `timed-out-connections.ts`) and a statement the server runs for longer
   * (`statement_timeout`); the server ends a transaction its client left idle this
   * long (`idle_in_transaction_session_timeout`). A query waits for a free pooled
   * connection twice this. Unset (one-shot admin commands, whose migrations and
   * audits may rightly run long): connecting gives up after 5 s, a pool wait after
   * 10 s (pg would wait forever on a host that drops packets, Knex 60 s), and queries
   * are not bounded.
   */
  timeoutMs?: number;
}

/**
 * Knex prints its own warnings (with stack traces) to the console; we report
 * failures ourselves, once, so its voice is muted.
 */
const QUIET = { warn() {}, error() {}, deprecate() {}, debug() {} };

/** The folder holding the Knex migrations, beside `src/` and `dist/`. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));

/**
 * Opens `sqlite:PATH` or `postgres://...`. SQLite runs in WAL mode with a busy
 * timeout, so that `serve`, `migrate` and `seed` can share the file.
 */
export function openDatabase(url: string, options: DatabaseOptions = {}): Database {
  const dialect: Dialect = url.startsWith('sqlite:') ? 'sqlite' : 'postgres';
  const knex =
    dialect === 'sqlite' ? openSqlite(url.slice('sqlite:'.length)) : openPostgres(url, options);
  return { knex, dialect, close: () => knex.destroy() };
}

function openSqlite(filename: string): Knex {
  return knexFactory({
    client: 'better-sqlite3',
    connection: { filename },
    useNullAsDefault: true,
    log: QUIET,
    migrations: { directory: MIGRATIONS_DIR, loadExtensions: ['.js'] },
    pool: {
      min: 1,
      max: 1,
      afterCreate(conn: SqliteConnection, done: (error: Error | null, conn: unknown) => void) {
        conn.pragma('journal_mode = WAL');
        conn.pragma('busy_timeout = 5000');
        conn.pragma('synchronous = NORMAL');
        conn.pragma('foreign_keys = ON');
        // SQLite's lower() folds ASCII only; text search must match PostgreSQL's.
        conn.function('unicode_lower', { deterministic: true }, (text) =>
          typeof text === 'string' ? text.toLowerCase() : text,
        );
        done(null, conn);
      },
    },
  });
}

interface SqliteConnection {
  pragma(source: string): unknown;
  function(
    name: string,
    options: { deterministic: boolean },
    fn: (value: unknown) => unknown,
  ): unknown;
}

function openPostgres(url: string, options: DatabaseOptions): Knex {
  const { timeoutMs } = options;
  const guard = guardTimedOutConnections();
  const knex = knexFactory({
    client: 'pg',
    connection: {
      connectionString: url,
      connectionTimeoutMillis: timeoutMs ?? 5_000,
      ...(timeoutMs === undefined
        ? {}
        : {
            query_timeout: timeoutMs,
            statement_timeout: timeoutMs,
            idle_in_transaction_session_timeout: timeoutMs,
          }),
    },
    log: QUIET,
    migrations: { directory: MIGRATIONS_DIR, loadExtensions: ['.js'] },
    pool: {
      min: 0,
      max: options.poolMax ?? 10,
      afterCreate: guard.afterCreate,
      validate: guard.validate,
    },
    acquireConnectionTimeout: timeoutMs === undefined ? 10_000 : 2 * timeoutMs,
  });
  guard.watch(knex);
  return knex;
}

/** The URL without its password, fit for messages and logs. */
export function describeDatabase(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:/@]*):[^@]*@/, '$1:***@');
}

/**
 * Checks that the database answers; a failure becomes an UnavailableError that
 * names the database (without its password) and the reason, in one line.
 */
export async function assertReachable(db: Database, url: string): Promise<void> {
  try {
    await db.knex.raw('select 1');
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new UnavailableError(
      'database_unreachable',
      `cannot reach the database at ${describeDatabase(url)}: ${reason}`,
      { cause: error },
    );
  }
}
