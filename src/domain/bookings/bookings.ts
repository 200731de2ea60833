import { createHash } from 'node:crypto';
import type { Knex } from '../../db/connection.js';
import { isUniqueViolation, returnedRows, toDate, toInt } from '../../db/sql.js';
import { ConflictError, ValidationError, type FieldError } from '../../shared/errors.js';
import { isId, newId } from '../../shared/ids.js';
import { eventNotFound, eventNotOnSale, invalidField } from '../errors.js';
import type { TicketTypeRow } from '../events/rows.js';
import { recordOutbox } from '../outbox.js';
import { IDEMPOTENCY_KEY_MAX, type BookingCreate, type BookingView } from './schemas.js';
import type { BookingItemRow, BookingRow } from './rows.js';

/** What `createBooking` returns: the booking, and whether it is a replay. */
export interface BookingOutcome {
  booking: BookingView;
  /** True when an Idempotency-Key matched an earlier booking: nothing new was sold. */
  replayed: boolean;
}

export interface CreateBookingOptions {
  /** The client's `Idempotency-Key`, if it sent one. */
  idempotencyKey?: string | undefined;
  now?: Date;
}

/** How often a booking is re-planned when stock moved between the check and the write. */
const MAX_ATTEMPTS = 3;

/** A validated booking, ready to be written. */
interface BookingPlan {
  eventId: string;
  currency: string;
  /** One line per ticket type, sorted by id so that row locks are taken in one order. */
  items: Array<{ ticketTypeId: string; quantity: number }>;
}

/** Thrown inside the write transaction when a guarded update found the stock gone. */
class StockMoved extends Error {}

/**
 * Books tickets for a customer, all or nothing (API.md, booking rules 2 to 6).
 *
 * The rules are checked on a read of the event and its ticket types; then one
 * transaction takes the stock with a single conditional UPDATE over every item
 * (guarded again by stock, limits, sales window and the event being on sale, so
 * nothing checked earlier can have gone stale) and writes the booking, its items,
 * the outbox row and the idempotency record. If the guard fails, the plan is
 * rebuilt, which then reports exactly what changed.
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

  if (key !== undefined) {
    const replay = await findReplay(knex, customerId, key, requestHash);
    if (replay) return replay;
  }

  for (let attempt = 1; ; attempt++) {
    const plan = await planBooking(knex, input, now);
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
      const retry = error instanceof StockMoved || isDeadlock(error);
      if (!retry) throw error;
      if (attempt >= MAX_ATTEMPTS) throw await soldOut(knex, plan);
    }
  }
}

/** Reads and checks everything the rules need; throws the first rule broken. */
async function planBooking(knex: Knex, input: BookingCreate, now: Date): Promise<BookingPlan> {
  if (!isId(input.event_id)) throw eventNotFound();
  const event = await knex('events')
    .where({ id: input.event_id })
    .first<{ status: string; starts_at: unknown; currency: string } | undefined>(
      'status',
      'starts_at',
      'currency',
    );
  if (!event) throw eventNotFound();
  if (event.status !== 'published') {
    throw eventNotOnSale(`The event is ${event.status}; only published events are on sale.`);
  }
  if (toDate(event.starts_at) <= now) throw eventNotOnSale('The event has already started.');

  const ids = input.items.map((item) => item.ticket_type_id).filter(isId);
  const types = await knex<TicketTypeRow>('ticket_types')
    .where({ event_id: input.event_id })
    .whereIn('id', ids);
  const byId = new Map(types.map((type) => [type.id, type]));

  const errors: FieldError[] = [];
  const seen = new Set<string>();
  input.items.forEach((item, i) => {
    const path = `items.${i}`;
    const type = byId.get(item.ticket_type_id);
    if (seen.has(item.ticket_type_id)) {
      errors.push({ path: `${path}.ticket_type_id`, message: 'is listed twice' });
    } else if (!type) {
      errors.push({
        path: `${path}.ticket_type_id`,
        message: 'is not a ticket type of this event',
      });
    } else {
      const max = toInt(type.max_per_booking);
      const salesStart = type.sales_start === null ? null : toDate(type.sales_start);
      const salesEnd = type.sales_end === null ? null : toDate(type.sales_end);
      if (item.quantity > max) {
        errors.push({
          path: `${path}.quantity`,
          message: `must be at most ${max} for ${type.name}`,
        });
      } else if (salesStart && salesStart > now) {
        errors.push({ path, message: `sales of ${type.name} open at ${salesStart.toISOString()}` });
      } else if (salesEnd && salesEnd <= now) {
        errors.push({ path, message: `sales of ${type.name} have ended` });
      }
    }
    seen.add(item.ticket_type_id);
  });
  if (errors.length > 0)
    throw new ValidationError('The booking breaks the rules of its event.', errors);

  const plan: BookingPlan = {
    eventId: input.event_id,
    currency: event.currency,
    items: input.items
      .map((item) => ({ ticketTypeId: item.ticket_type_id, quantity: item.quantity }))
      .sort((a, b) => (a.ticketTypeId < b.ticketTypeId ? -1 : 1)),
  };
  const short = plan.items.some(
    (item) =>
      item.quantity >
      toInt(byId.get(item.ticketTypeId)?.quantity) - toInt(byId.get(item.ticketTypeId)?.sold),
  );
  if (short) throw soldOutFrom(plan, types);
  return plan;
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
  const taken = await takeStock(trx, plan, now);
  if (taken.length !== plan.items.length) throw new StockMoved();

  const byId = new Map(taken.map((row) => [row.id, row]));
  const items: BookingItemRow[] = [];
  const booking: BookingRow = {
    id: newId(),
    event_id: plan.eventId,
    customer_id: customerId,
    status: 'confirmed',
    total: 0,
    currency: plan.currency,
    created_at: now,
    cancelled_at: null,
  };
  let total = 0;
  for (const item of plan.items) {
    const row = byId.get(item.ticketTypeId)!;
    const unitPrice = toInt(row.price);
    total += unitPrice * item.quantity;
    items.push({
      booking_id: booking.id,
      ticket_type_id: item.ticketTypeId,
      name: row.name,
      quantity: item.quantity,
      unit_price: unitPrice,
    });
  }
  booking.total = total;

  await trx('bookings').insert(booking);
  await trx('booking_items').insert(items);
  await recordOutbox(
    trx,
    'booking.confirmed',
    { booking_id: booking.id, customer_id: customerId, event_id: plan.eventId },
    now,
  );

  const view = toBookingViewFromWrite(booking, items);
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

/**
 * One UPDATE for every item: adds each quantity to `sold` where the stock, the
 * per-booking limit, the sales window and the event's sale state all still allow
 * it, and returns the rows it changed with their current price and name. Fewer rows
 * than items means something ran out: the caller rolls everything back.
 */
async function takeStock(
  trx: Knex.Transaction,
  plan: BookingPlan,
  now: Date,
): Promise<Array<{ id: string; price: unknown; name: string }>> {
  const cases = plan.items.map(() => 'when ? then cast(? as integer)').join(' ');
  const caseBindings = plan.items.flatMap((item) => [item.ticketTypeId, item.quantity]);
  const delta = `(case id ${cases} end)`;
  const ids = plan.items.map((item) => item.ticketTypeId);
  const placeholders = ids.map(() => '?').join(', ');

  const result = await trx.raw(
    `update ticket_types
        set sold = sold + ${delta}
      where id in (${placeholders})
        and event_id = ?
        and sold + ${delta} <= quantity
        and ${delta} <= max_per_booking
        and (sales_start is null or sales_start <= ?)
        and (sales_end is null or sales_end > ?)
        and exists (select 1 from events e
                     where e.id = ticket_types.event_id
                       and e.status = 'published' and e.starts_at > ?)
      returning id, price, name`,
    [...caseBindings, ...ids, plan.eventId, ...caseBindings, ...caseBindings, now, now, now],
  );
  return returnedRows(result);
}

/** The 409 `sold_out` answer, listing what is still available of each item. */
async function soldOut(knex: Knex, plan: BookingPlan): Promise<ConflictError> {
  const types = await knex<TicketTypeRow>('ticket_types').whereIn(
    'id',
    plan.items.map((item) => item.ticketTypeId),
  );
  return soldOutFrom(plan, types);
}

function soldOutFrom(plan: BookingPlan, types: TicketTypeRow[]): ConflictError {
  const byId = new Map(types.map((type) => [type.id, type]));
  const available = plan.items.map((item) => {
    const type = byId.get(item.ticketTypeId);
    return {
      ticket_type_id: item.ticketTypeId,
      name: type?.name ?? null,
      requested: item.quantity,
      available: type ? Math.max(0, toInt(type.quantity) - toInt(type.sold)) : 0,
    };
  });
  const short = available.filter((a) => a.requested > a.available);
  const names = short.map((a) => `${a.name}: ${a.available} left`).join(', ');
  return new ConflictError('sold_out', `Not enough tickets left (${names}); nothing was booked.`, {
    extra: { available },
  });
}

function toBookingViewFromWrite(booking: BookingRow, items: BookingItemRow[]): BookingView {
  return {
    id: booking.id,
    event_id: booking.event_id,
    customer_id: booking.customer_id,
    status: 'confirmed',
    items: items.map((item) => ({
      ticket_type_id: item.ticket_type_id,
      name: item.name,
      quantity: toInt(item.quantity),
      unit_price: toInt(item.unit_price),
    })),
    total: toInt(booking.total),
    currency: booking.currency,
    created_at: toDate(booking.created_at).toISOString(),
    cancelled_at: null,
  };
}

function checkIdempotencyKey(key: string): void {
  if (key.length === 0 || key.length > IDEMPOTENCY_KEY_MAX) {
    throw invalidField('Idempotency-Key', `must be 1 to ${IDEMPOTENCY_KEY_MAX} characters`);
  }
}

/**
 * The fingerprint of a booking request: the same tickets in any order are the same
 * request, so a client that rebuilds its body on retry still matches.
 */
function hashRequest(input: BookingCreate): string {
  const items = input.items
    .map((item) => [item.ticket_type_id, item.quantity] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
  return createHash('sha256')
    .update(JSON.stringify([input.event_id, items]))
    .digest('hex');
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
  if (!row) return undefined;
  if (row.request_hash !== requestHash) {
    throw new ValidationError(
      'This Idempotency-Key was already used with a different request.',
      [{ path: 'Idempotency-Key', message: 'was used with a different body' }],
      'idempotency_key_reused',
    );
  }
  return { booking: JSON.parse(row.response_body) as BookingView, replayed: true };
}

/** PostgreSQL may pick one of two crossing transactions to abort; it can be retried. */
function isDeadlock(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === '40P01' || code === '40001';
}
