import type { Knex } from '../../db/connection.js';
import { inGroupCommit } from '../../db/group-commit.js';
import { prepared } from '../../db/sqlite-native.js';
import { isId } from '../../shared/ids.js';
import { eventNotFound } from '../errors.js';
import type { TicketTypeRow } from '../events/rows.js';
import { outboxRow } from '../outbox.js';
import {
  buildBooking,
  checkBookingRules,
  replayOf,
  requestedIds,
  soldOut,
  type BookingOutcome,
  type BookingRequest,
  type BookingPlan,
  type SaleEventRow,
} from './rules.js';

const SELECT_KEY =
  'select request_hash, response_body from idempotency_keys where customer_id = ? and key = ?';
const SELECT_EVENT = 'select status, starts_at, currency from events where id = ?';
const INSERT_BOOKING = `insert into bookings
  (id, event_id, customer_id, status, total, currency, created_at, cancelled_at)
  values (?, ?, ?, ?, ?, ?, ?, ?)`;
const INSERT_ITEM = `insert into booking_items
  (booking_id, ticket_type_id, name, quantity, unit_price) values (?, ?, ?, ?, ?)`;
const INSERT_OUTBOX =
  'insert into outbox (id, kind, payload, created_at, dispatched_at) values (?, ?, ?, ?, null)';
const INSERT_KEY = `insert into idempotency_keys
  (customer_id, key, request_hash, response_status, response_body, created_at)
  values (?, ?, ?, 201, ?, ?)`;

const selectTypes = (count: number) =>
  `select * from ticket_types where event_id = ? and id in (${Array(count).fill('?').join(', ')})`;

/**
 * A booking on SQLite: synchronous prepared statements inside a `BEGIN IMMEDIATE`
 * transaction, shared with the other bookings of the same event-loop turn (group
 * commit, `src/db/group-commit.ts`), each booking in a savepoint of its own. Taking
 * the write lock first means nothing can change between the checks and the writes
 * (in this process or any other sharing the file), so no re-planning is ever needed;
 * a thrown rule rolls this booking back and no other. Timestamps are stored as epoch
 * milliseconds, as Knex stores them on SQLite.
 */
export function bookOnSqlite(knex: Knex, request: BookingRequest): Promise<BookingOutcome> {
  const { customerId, input, key, requestHash, now } = request;
  const at = now.getTime();

  return inGroupCommit(knex, (db): BookingOutcome => {
    if (key !== undefined) {
      const stored = prepared(db, SELECT_KEY).get(customerId, key) as
        { request_hash: string; response_body: string } | undefined;
      if (stored) return replayOf(stored, requestHash);
    }

    if (!isId(input.event_id)) throw eventNotFound();
    const event = prepared(db, SELECT_EVENT).get(input.event_id) as SaleEventRow | undefined;
    const ids = requestedIds(input);
    const types = prepared(db, selectTypes(ids.length)).all(
      input.event_id,
      ...ids,
    ) as TicketTypeRow[];
    const plan = checkBookingRules(input, event, types, now);

    const stock = takeStockStatement(plan, at);
    const taken = prepared(db, stock.sql).all(...stock.bindings) as Array<{
      id: string;
      price: number;
      name: string;
    }>;
    // Cannot happen under the write lock unless a rule above missed a case.
    if (taken.length !== plan.items.length) throw soldOut(plan, types);

    const { booking, items, view } = buildBooking(plan, taken, customerId, now);
    prepared(db, INSERT_BOOKING).run(
      booking.id,
      booking.event_id,
      booking.customer_id,
      booking.status,
      booking.total as number,
      booking.currency,
      at,
      null,
    );
    const insertItem = prepared(db, INSERT_ITEM);
    for (const item of items) {
      insertItem.run(
        item.booking_id,
        item.ticket_type_id,
        item.name,
        item.quantity as number,
        item.unit_price as number,
      );
    }
    const outbox = outboxRow(
      'booking.confirmed',
      { booking_id: booking.id, customer_id: customerId, event_id: plan.eventId },
      now,
    );
    prepared(db, INSERT_OUTBOX).run(outbox.id, outbox.kind, outbox.payload, at);
    if (key !== undefined) {
      prepared(db, INSERT_KEY).run(customerId, key, requestHash, JSON.stringify(view), at);
    }
    return { booking: view, replayed: false };
  });
}

/** The statement that takes the stock of every item at once (see `takeStockSql`). */
interface StockStatement {
  sql: string;
  bindings: Array<string | number>;
}

/**
 * One UPDATE for every item: adds each quantity to `sold` where the stock, the
 * per-booking limit, the sales window and the event's sale state all still allow
 * it, and returns the rows it changed with their current price and name. Fewer rows
 * than items means something ran out: the caller rolls everything back.
 */
function takeStockStatement(plan: BookingPlan, now: number): StockStatement {
  const cases = plan.items.map(() => 'when ? then cast(? as integer)').join(' ');
  const caseBindings = plan.items.flatMap((item) => [item.ticketTypeId, item.quantity]);
  const delta = `(case id ${cases} end)`;
  const ids = plan.items.map((item) => item.ticketTypeId);
  return {
    sql: `update ticket_types
             set sold = sold + ${delta}
           where id in (${ids.map(() => '?').join(', ')})
             and event_id = ?
             and sold + ${delta} <= quantity
             and ${delta} <= max_per_booking
             and (sales_start is null or sales_start <= ?)
             and (sales_end is null or sales_end > ?)
             and exists (select 1 from events e
                          where e.id = ticket_types.event_id
                            and e.status = 'published' and e.starts_at > ?)
       returning id, price, name`,
    bindings: [
      ...caseBindings,
      ...ids,
      plan.eventId,
      ...caseBindings,
      ...caseBindings,
      now,
      now,
      now,
    ],
  };
}
