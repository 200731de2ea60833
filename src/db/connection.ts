import { fileURLToPath } from 'node:url';
import knexFactory, { type Knex } from 'knex';

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
}

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
    migrations: { directory: MIGRATIONS_DIR, loadExtensions: ['.js'] },
    pool: {
      min: 1,
      max: 1,
      afterCreate(conn: SqliteConnection, done: (error: Error | null, conn: unknown) => void) {
        conn.pragma('journal_mode = WAL');
        conn.pragma('busy_timeout = 5000');
        conn.pragma('synchronous = NORMAL');
        conn.pragma('foreign_keys = ON');
        done(null, conn);
      },
    },
  });
}

interface SqliteConnection {
  pragma(source: string): unknown;
}

function openPostgres(url: string, options: DatabaseOptions): Knex {
  return knexFactory({
    client: 'pg',
    connection: url,
    migrations: { directory: MIGRATIONS_DIR, loadExtensions: ['.js'] },
    pool: { min: 0, max: options.poolMax ?? 10 },
  });
}
