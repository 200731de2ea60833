import { fileURLToPath } from 'node:url';
import knexFactory, { type Knex } from 'knex';
import { UnavailableError } from '../shared/errors.js';

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
   * How long a query waits for a pooled PostgreSQL connection before failing (a 503
   * for API callers). Default 10 s; Knex's own default of 60 s holds requests for a
   * minute while the database is unreachable.
   */
  acquireTimeoutMs?: number;
  /**
   * How long opening one PostgreSQL connection may take. Default 5 s; pg's default
   * is to wait forever on a host that drops packets.
   */
  connectTimeoutMs?: number;
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
  return knexFactory({
    client: 'pg',
    connection: {
      connectionString: url,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    },
    log: QUIET,
    migrations: { directory: MIGRATIONS_DIR, loadExtensions: ['.js'] },
    pool: { min: 0, max: options.poolMax ?? 10 },
    acquireConnectionTimeout: options.acquireTimeoutMs ?? 10_000,
  });
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
