import type { Knex } from '../../db/connection.js';
import { isNativeSqlite } from '../../db/sqlite-native.js';
import { isUniqueViolation, returnedRows } from '../../db/sql.js';
import { isId } from '../../shared/ids.js';
import { eventNotFound } from '../errors.js';
import type { TicketTypeRow } from '../events/rows.js';
import { recordOutbox } from '../outbox.js';
import { bookOnSqlite } from './book-sqlite.js';
import {
  buildBooking,
  checkBookingRules,
  checkIdempotencyKey,
  hashRequest,
  replayOf,
  requestedIds,
  soldOut,
  takeStockStatement,
  type BookingOutcome,
  type BookingPlan,
  type SaleEventRow,
} from './rules.js';
import type { BookingCreate, BookingView } from './schemas.js';

export type { BookingOutcome };

export interface CreateBookingOptions {
  /** The client's `Idempotency-Key`, if it sent one. */
  idempotencyKey?: string | undefined;
  now?: Date;
}

/** How often a booking is re-planned when stock moved between the check and the write. */
const MAX_ATTEMPTS = 3;

/** Thrown inside the write transaction when the guarded update found the stock gone. */
class StockMoved extends Error {}

/**
 * Books tickets for a customer, all or nothing (API.md, booking rules 2 to 6).
 *
 * On SQLite the whole booking runs as one synchronous IMMEDIATE transaction of
 * prepared statements on the native connection (writers are serialised anyway, and
 * Knex's per-transaction overhead is 4 to 6 times the work). Elsewhere the rules are
 * checked on a read, then one transaction takes the stock with a single guarded
 * UPDATE over every item and writes the booking, its items, the outbox row and the
 * idempotency record; if the guard fails, the booking is re-planned.
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
  const requestHash = hashRequest(input);

  if (isNativeSqlite(knex)) {
    return bookOnSqlite(knex, { customerId, input, key, requestHash, now });
  }

  if (key !== undefined) {
    const replay = await findReplay(knex, customerId, key, requestHash);
    if (replay) return replay;
  }
  for (let attempt = 1; ; attempt++) {
    const { plan, types } = await planBooking(knex, input, now);
    try {
      const booking = await knex.transaction((trx) =>
        writeBooking(trx, customerId, plan, now, key, requestHash),
      );
      return { booking, replayed: false };
    } catch (error) {
      if (key !== undefined && isUniqueViolation(error)) {
        // A concurrent request with the same key won; answer as it did.
        const replay = await findReplay(knex, customerId, key, requestHash);
        if (replay) return replay;
      }
      if (!(error instanceof StockMoved) && !isDeadlock(error)) throw error;
      if (attempt >= MAX_ATTEMPTS) throw soldOut(plan, await reread(knex, types));
    }
  }
}

async function planBooking(
  knex: Knex,
  input: BookingCreate,
  now: Date,
): Promise<{ plan: BookingPlan; types: TicketTypeRow[] }> {
  if (!isId(input.event_id)) throw eventNotFound();
  const event = await knex('events')
    .where({ id: input.event_id })
    .first<SaleEventRow | undefined>('status', 'starts_at', 'currency');
  const types = await knex<TicketTypeRow>('ticket_types')
    .where({ event_id: input.event_id })
    .whereIn('id', requestedIds(input));
  return { plan: checkBookingRules(input, event, types, now), types };
}

/** The write transaction of a booking: a handful of statements, stock first. */
async function writeBooking(
  trx: Knex.Transaction,
  customerId: string,
  plan: BookingPlan,
  now: Date,
  key: string | undefined,
  requestHash: string,
): Promise<BookingView> {
  const statement = takeStockStatement(plan, now);
  const taken = returnedRows<{ id: string; price: unknown; name: string }>(
    await trx.raw(statement.sql, statement.bindings),
  );
  if (taken.length !== plan.items.length) throw new StockMoved();

  const { booking, items, view } = buildBooking(plan, taken, customerId, now);
  await trx('bookings').insert(booking);
  await trx('booking_items').insert(items);
  await recordOutbox(
    trx,
    'booking.confirmed',
    { booking_id: booking.id, customer_id: customerId, event_id: plan.eventId },
    now,
  );
  if (key !== undefined) {
    await trx('idempotency_keys').insert({
      customer_id: customerId,
      key,
      request_hash: requestHash,
      response_status: 201,
      response_body: JSON.stringify(view),
      created_at: now,
    });
  }
  return view;
}

async function reread(knex: Knex, types: TicketTypeRow[]): Promise<TicketTypeRow[]> {
  return knex<TicketTypeRow>('ticket_types').whereIn(
    'id',
    types.map((type) => type.id),
  );
}

async function findReplay(
  knex: Knex,
  customerId: string,
  key: string,
  requestHash: string,
): Promise<BookingOutcome | undefined> {
  const row = await knex('idempotency_keys')
    .where({ customer_id: customerId, key })
    .first<{ request_hash: string; response_body: string } | undefined>(
      'request_hash',
      'response_body',
    );
  return row ? replayOf(row, requestHash) : undefined;
}

/** PostgreSQL may pick one of two crossing transactions to abort; it can be retried. */
function isDeadlock(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === '40P01' || code === '40001';
}
