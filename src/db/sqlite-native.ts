import type BetterSqlite3 from 'better-sqlite3';
import type { Knex } from './connection.js';

export type SqliteConnection = BetterSqlite3.Database;
export type SqliteStatement = BetterSqlite3.Statement;

interface PoolClient {
  config: { client?: unknown };
  acquireConnection(): Promise<SqliteConnection>;
  releaseConnection(connection: SqliteConnection): Promise<void>;
}

/** True when this Knex instance runs on better-sqlite3. */
export function isNativeSqlite(knex: Knex): boolean {
  return (knex.client as PoolClient).config.client === 'better-sqlite3';
}

/**
 * Runs `work` on the native better-sqlite3 connection, borrowed from Knex's pool so
 * that it takes turns with every other query of this process.
 */
export async function withSqliteConnection<T>(
  knex: Knex,
  work: (connection: SqliteConnection) => T,
): Promise<T> {
  const client = knex.client as PoolClient;
  const connection = await client.acquireConnection();
  try {
    return work(connection);
  } finally {
    await client.releaseConnection(connection);
  }
}

const statements = new WeakMap<SqliteConnection, Map<string, SqliteStatement>>();

/** A prepared statement, compiled once per connection and SQL text. */
export function prepared(connection: SqliteConnection, sql: string): SqliteStatement {
  let cache = statements.get(connection);
  if (!cache) statements.set(connection, (cache = new Map()));
  let statement = cache.get(sql);
  if (!statement) cache.set(sql, (statement = connection.prepare(sql)));
  return statement;
}
