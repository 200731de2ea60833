import type { Knex } from '../../db/connection.js';
import { isForeignKeyViolation, isUniqueViolation, returnedRows } from '../../db/sql.js';
import { isId, newId } from '../../shared/ids.js';
import { accountGone, eventNotFound } from '../errors.js';
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
import type { BookingCreate } from './schemas.js';

const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/** How often a booking is re-planned when stock moved between the check and the write. */
const MAX_ATTEMPTS = 3;

/**
 * A booking on PostgreSQL: one read for the rules, then **one statement** that
 * takes the stock and writes the booking, its items, the outbox row and the
 * idempotency record. A hot ticket type's row lock is held for that statement
 * and its commit only, not across several round trips, which is what limits
 * throughput when everyone wants the same tickets.
 *
 * All or nothing: the UPDATE takes only rows whose guards still hold; if it took
 * fewer rows than items, the booking's `total` comes out NULL and its NOT NULL
 * constraint aborts the whole statement, UPDATE included. The booking is then
 * re-planned, which reports exactly what ran out.
 */
export async function bookOnPostgres(knex: Knex, request: BookingRequest): Promise<BookingOutcome> {
  const { customerId, key, requestHash } = request;
  if (key !== undefined) {
    const replay = await findReplay(knex, customerId, key, requestHash);
    if (replay) return replay;
  }

  for (let attempt = 1; ; attempt++) {
    const { plan, types } = await planBooking(knex, request.input, request.now);
    try {
      return { booking: await writeBooking(knex, plan, request), replayed: false };
    } catch (error) {
      if (key !== undefined && isUniqueViolation(error)) {
        // A concurrent request with the same key won; answer as it did.
        const replay = await findReplay(knex, customerId, key, requestHash);
        if (replay) return replay;
      }
      if (isForeignKeyViolation(error)) throw accountGone(error);
      if (!isStockMoved(error) && !isDeadlock(error)) throw error;
      if (attempt >= MAX_ATTEMPTS) throw soldOut(plan, await reread(knex, types));
    }
  }
}

/** The event and the requested ticket types in one query, checked by the rules. */
async function planBooking(
  knex: Knex,
  input: BookingCreate,
  now: Date,
): Promise<{ plan: BookingPlan; types: TicketTypeRow[] }> {
  if (!isId(input.event_id)) throw eventNotFound();
  const ids = requestedIds(input);
  const rows: Array<
    TicketTypeRow & { e_status: string; e_starts_at: unknown; e_currency: string }
  > = await knex('events as e')
    .leftJoin('ticket_types as t', (join) => {
      // No valid id at all still needs a list: the nil UUID matches nothing.
      join.on('t.event_id', '=', 'e.id').onIn('t.id', ids.length > 0 ? ids : [NIL_UUID]);
    })
    .where('e.id', input.event_id)
    .select(
      't.*',
      'e.status as e_status',
      'e.starts_at as e_starts_at',
      'e.currency as e_currency',
    );
  const first = rows[0];
  const event: SaleEventRow | undefined = first && {
    status: first.e_status,
    starts_at: first.e_starts_at,
    currency: first.e_currency,
  };
  const types = rows.filter((row) => row.id !== null);
  return { plan: checkBookingRules(input, event, types, now), types };
}

async function writeBooking(knex: Knex, plan: BookingPlan, request: BookingRequest) {
  const { customerId, key, requestHash, now } = request;
  const id = newId();
  const outbox = outboxRow(
    'booking.confirmed',
    { booking_id: id, customer_id: customerId, event_id: plan.eventId },
    now,
  );
  const values = plan.items.map(() => '(?::uuid, ?::integer)').join(', ');

  const result = await knex.raw(
    `with req (id, qty) as (values ${values}),
     taken as (
       update ticket_types t
          set sold = t.sold + req.qty
         from req
        where t.id = req.id
          and t.event_id = ?
          and t.sold + req.qty <= t.quantity
          and req.qty <= t.max_per_booking
          and (t.sales_start is null or t.sales_start <= ?)
          and (t.sales_end is null or t.sales_end > ?)
          and exists (select 1 from events e
                       where e.id = t.event_id and e.status = 'published' and e.starts_at > ?)
       returning t.id, t.name, t.price, req.qty
     ),
     booking as (
       insert into bookings (id, event_id, customer_id, status, total, currency, created_at)
       select ?::uuid, ?::uuid, ?::uuid, 'confirmed',
              (select case when count(*) = ? then sum(price * qty) end from taken),
              ?::text, ?::timestamptz
       returning id, total
     ),
     items as (
       insert into booking_items (booking_id, ticket_type_id, name, quantity, unit_price)
       select (select id from booking), id, name, qty, price from taken
     ),
     outbox as (
       insert into outbox (id, kind, payload, created_at) values (?, 'booking.confirmed', ?, ?)
     ),
     remembered as (
       insert into idempotency_keys
         (customer_id, key, request_hash, response_status, response_body, created_at)
       select ?::uuid, ?::text, ?::text, 201, json_build_object(
                'id', ?::text, 'event_id', ?::text, 'customer_id', ?::text, 'status', 'confirmed',
                'items', (select json_agg(json_build_object(
                            'ticket_type_id', id, 'name', name, 'quantity', qty, 'unit_price', price)
                          order by id) from taken),
                'total', (select total from booking), 'currency', ?::text,
                'created_at', ?::text, 'cancelled_at', null)::text, ?::timestamptz
        where ?::boolean
     )
     select id, name, price from taken order by id`,
    [
      ...plan.items.flatMap((item) => [item.ticketTypeId, item.quantity]),
      plan.eventId,
      now,
      now,
      now,
      id,
      plan.eventId,
      customerId,
      plan.items.length,
      plan.currency,
      now,
      outbox.id,
      outbox.payload,
      now,
      customerId,
      key ?? '',
      requestHash,
      id,
      plan.eventId,
      customerId,
      plan.currency,
      now.toISOString(),
      now,
      key !== undefined,
    ],
  );
  const taken = returnedRows<{ id: string; name: string; price: unknown }>(result);
  return buildBooking(plan, taken, customerId, now, id).view;
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

/** The NOT NULL guard on `bookings.total` fired: some item ran out meanwhile. */
function isStockMoved(error: unknown): boolean {
  const e = error as { code?: string; column?: string } | null;
  return e?.code === '23502' && e.column === 'total';
}

/** PostgreSQL may pick one of two crossing transactions to abort; it can be retried. */
function isDeadlock(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === '40P01' || code === '40001';
}
