import type { Knex } from '../../db/connection.js';
import { isForeignKeyViolation } from '../../db/sql.js';
import { isNativeSqlite } from '../../db/sqlite-native.js';
import { accountGone } from '../errors.js';
import { bookOnPostgres } from './book-postgres.js';
import { bookOnSqlite } from './book-sqlite.js';
import { checkIdempotencyKey, hashRequest, type BookingOutcome } from './rules.js';
import type { BookingCreate } from './schemas.js';

export type { BookingOutcome };

export interface CreateBookingOptions {
  /** The client's `Idempotency-Key`, if it sent one. */
  idempotencyKey?: string | undefined;
  now?: Date;
}

/**
 * Books tickets for a customer, all or nothing (API.md, booking rules 2 to 6).
 * The rules live in `rules.ts`; each engine writes in the way it is fastest at
 * while never overselling:
 *
 * - SQLite: the whole booking is one synchronous `BEGIN IMMEDIATE` transaction of
 *   prepared statements on the native connection (writers are serialised anyway,
 *   and Knex's per-transaction overhead was 4 to 6 times the work).
 * - PostgreSQL: one read for the rules, then one statement that takes the stock
 *   and writes everything, so a hot row is locked for a single round trip.
 */
export async function createBooking(
  knex: Knex,
  customerId: string,
  input: BookingCreate,
  options: CreateBookingOptions = {},
): Promise<BookingOutcome> {
  const now = options.now ?? new Date();
  const key = options.idempotencyKey;
  if (key !== undefined) checkIdempotencyKey(key);
  const request = { customerId, input, key, requestHash: hashRequest(input), now };

  if (!isNativeSqlite(knex)) return bookOnPostgres(knex, request);
  return bookOnSqlite(knex, request).catch((error: unknown) => {
    if (isForeignKeyViolation(error)) throw accountGone(error);
    throw error;
  });
}
