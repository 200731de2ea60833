import type { Knex } from './connection.js';
import { isQueryTimeout } from './timed-out-connections.js';

/**
 * Small translations between the two engines, kept in one place so that nothing
 * above `db/` has to know which one it runs on.
 */

/** Timestamps come back as Date (pg) or epoch milliseconds (better-sqlite3). */
export function toDate(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'number' || typeof value === 'bigint') return new Date(Number(value));
  if (typeof value === 'string') return new Date(/^\d+$/.test(value) ? Number(value) : value);
  throw new TypeError(`not a timestamp: ${String(value)}`);
}

export function toDateOrNull(value: unknown): Date | null {
  return value === null || value === undefined ? null : toDate(value);
}

/** BIGINT and COUNT come back as strings from pg. */
export function toInt(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}

/** How many rows a raw UPDATE or DELETE changed. */
export function changedRows(result: unknown): number {
  const r = result as { rowCount?: number; changes?: number } | undefined;
  return r?.rowCount ?? r?.changes ?? 0;
}

/** The rows a raw statement with RETURNING produced. */
export function returnedRows<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

function errorCode(error: unknown): string | undefined {
  return (error as { code?: string } | null)?.code;
}

export function isUniqueViolation(error: unknown): boolean {
  const code = errorCode(error);
  return (
    code === '23505' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}

export function isForeignKeyViolation(error: unknown): boolean {
  const code = errorCode(error);
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

export function isCheckViolation(error: unknown): boolean {
  const code = errorCode(error);
  return code === '23514' || code === 'SQLITE_CONSTRAINT_CHECK';
}

/** Connection failures, by the codes pg, Node and SQLite give them. */
const CONNECTION_FAILURE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  '57P01',
  '57P02',
  '57P03',
  '53300',
  // A statement the server cancelled (`statement_timeout`) and a transaction it ended
  // (`idle_in_transaction_session_timeout`), both set from EVBOOK_DB_TIMEOUT_MS.
  '57014',
  '25P03',
  '08006',
  '08001',
  '08003',
  'SQLITE_BUSY',
]);

/**
 * The database is down, refusing connections or silent past `EVBOOK_DB_TIMEOUT_MS`: a
 * 503 the client may retry. An
 * error whose `cause` (a few levels down) is one counts too, e.g. the OAuth server's
 * `temporarily_unavailable`.
 */
export function isConnectionFailure(error: unknown, depth = 0): boolean {
  if (error === null || typeof error !== 'object' || depth > 4) return false;
  const { code, cause } = error as { code?: unknown; cause?: unknown };
  const message = error instanceof Error ? error.message : '';
  return (
    (typeof code === 'string' && CONNECTION_FAILURE_CODES.has(code)) ||
    // pg reports by message only, without a code: a connection dropped mid-query (server
    // restart, network cut) or closed after a timeout (`is not queryable`), and a
    // connection not opened in time (connectionTimeoutMillis: `timeout expired`).
    /Knex: Timeout acquiring a connection|Connection terminated|is not queryable|^timeout expired$/.test(
      message,
    ) ||
    // A query without an answer in time (pg's query_timeout).
    isQueryTimeout(error) ||
    isConnectionFailure(cause, depth + 1)
  );
}

/** Escapes `%`, `_` and `\` for a LIKE pattern used with `ESCAPE '\'`. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Case-insensitive substring match on a column, the same on both engines. */
export function whereContains(
  query: Knex.QueryBuilder,
  column: string,
  text: string,
): Knex.QueryBuilder {
  const lower = isSqlite(query) ? 'unicode_lower' : 'lower';
  return query.whereRaw(`${lower}(??) like ? escape '\\'`, [
    column,
    `%${escapeLike(text.toLowerCase())}%`,
  ]);
}

/** SQLite's own lower() is ASCII only; connections register a Unicode one (connection.ts). */
function isSqlite(query: Knex.QueryBuilder): boolean {
  const client = (query as unknown as { client?: { config?: { client?: unknown } } }).client;
  return client?.config?.client === 'better-sqlite3';
}
