import { createHash } from 'node:crypto';
import { toDate, toInt } from '../../db/sql.js';
import { ConflictError, ValidationError, type FieldError } from '../../shared/errors.js';
import { isId, newId } from '../../shared/ids.js';
import { eventNotFound, eventNotOnSale, invalidField } from '../errors.js';
import type { TicketTypeRow } from '../events/rows.js';
import type { BookingItemRow, BookingRow } from './rows.js';
import { IDEMPOTENCY_KEY_MAX, type BookingCreate, type BookingView } from './schemas.js';

/**
 * The booking rules of API.md as pure functions over rows already read, shared by
 * both storage paths (Knex on PostgreSQL, native statements on SQLite).
 */

/** What `createBooking` returns: the booking, and whether it is a replay. */
export interface BookingOutcome {
  booking: BookingView;
  /** True when an Idempotency-Key matched an earlier booking: nothing new was sold. */
  replayed: boolean;
}

/** A booking request as both engines' write paths take it. */
export interface BookingRequest {
  customerId: string;
  input: BookingCreate;
  /** The client's Idempotency-Key, if any. */
  key: string | undefined;
  /** `hashRequest(input)`, to tell a replay from a reused key. */
  requestHash: string;
  now: Date;
}

/** The event columns the rules need. */
export interface SaleEventRow {
  status: string;
  starts_at: unknown;
  currency: string;
}

/** A validated booking, ready to be written. */
export interface BookingPlan {
  eventId: string;
  currency: string;
  /** One line per ticket type, sorted by id so that row locks are taken in one order. */
  items: Array<{ ticketTypeId: string; quantity: number }>;
}

/** The ids worth looking up: anything else cannot be a ticket type of ours. */
export function requestedIds(input: BookingCreate): string[] {
  return input.items.map((item) => item.ticket_type_id).filter(isId);
}

/**
 * Checks rules 2 to 4 on the event and the requested ticket types (those of this
 * event among the ids asked for) and returns the plan, or throws the first rule
 * broken: 404, 409 `event_not_on_sale`, 422 listing every bad item, 409 `sold_out`.
 */
export function checkBookingRules(
  input: BookingCreate,
  event: SaleEventRow | undefined,
  types: TicketTypeRow[],
  now: Date,
): BookingPlan {
  if (!event) throw eventNotFound();
  if (event.status !== 'published') {
    throw eventNotOnSale(`The event is ${event.status}; only published events are on sale.`);
  }
  if (toDate(event.starts_at) <= now) throw eventNotOnSale('The event has already started.');

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
      const problem = itemProblem(type, item.quantity, now);
      if (problem)
        errors.push({
          path: problem.field ? `${path}.${problem.field}` : path,
          message: problem.message,
        });
    }
    seen.add(item.ticket_type_id);
  });
  if (errors.length > 0) {
    throw new ValidationError('The booking breaks the rules of its event.', errors);
  }

  const plan: BookingPlan = {
    eventId: input.event_id,
    currency: event.currency,
    items: input.items
      .map((item) => ({ ticketTypeId: item.ticket_type_id, quantity: item.quantity }))
      .sort((a, b) => (a.ticketTypeId < b.ticketTypeId ? -1 : 1)),
  };
  if (plan.items.some((item) => item.quantity > available(byId.get(item.ticketTypeId)))) {
    throw soldOut(plan, types);
  }
  return plan;
}

function itemProblem(
  type: TicketTypeRow,
  quantity: number,
  now: Date,
): { field?: string; message: string } | undefined {
  const max = toInt(type.max_per_booking);
  if (quantity > max)
    return { field: 'quantity', message: `must be at most ${max} for ${type.name}` };
  const salesStart = type.sales_start === null ? null : toDate(type.sales_start);
  if (salesStart && salesStart > now) {
    return { message: `sales of ${type.name} open at ${salesStart.toISOString()}` };
  }
  const salesEnd = type.sales_end === null ? null : toDate(type.sales_end);
  if (salesEnd && salesEnd <= now) return { message: `sales of ${type.name} have ended` };
  return undefined;
}

function available(type: TicketTypeRow | undefined): number {
  return type ? toInt(type.quantity) - toInt(type.sold) : 0;
}

/** The 409 `sold_out` answer, listing what was asked and what is left of each item. */
export function soldOut(plan: BookingPlan, types: TicketTypeRow[]): ConflictError {
  const byId = new Map(types.map((type) => [type.id, type]));
  const rows = plan.items.map((item) => {
    const type = byId.get(item.ticketTypeId);
    return {
      ticket_type_id: item.ticketTypeId,
      name: type?.name ?? null,
      requested: item.quantity,
      available: Math.max(0, available(type)),
    };
  });
  const short = rows.filter((row) => row.requested > row.available);
  const names = short.map((row) => `${row.name}: ${row.available} left`).join(', ');
  return new ConflictError('sold_out', `Not enough tickets left (${names}); nothing was booked.`, {
    extra: { available: rows },
  });
}

/** The rows and the view of a booking, from the plan and the prices the UPDATE returned. */
export function buildBooking(
  plan: BookingPlan,
  taken: Array<{ id: string; price: unknown; name: string }>,
  customerId: string,
  now: Date,
  id = newId(),
): { booking: BookingRow; items: BookingItemRow[]; view: BookingView } {
  const byId = new Map(taken.map((row) => [row.id, row]));
  let total = 0;
  const items = plan.items.map((item) => {
    const row = byId.get(item.ticketTypeId)!;
    const unitPrice = toInt(row.price);
    total += unitPrice * item.quantity;
    return {
      booking_id: id,
      ticket_type_id: item.ticketTypeId,
      name: row.name,
      quantity: item.quantity,
      unit_price: unitPrice,
    };
  });
  const booking: BookingRow = {
    id,
    event_id: plan.eventId,
    customer_id: customerId,
    status: 'confirmed',
    total,
    currency: plan.currency,
    created_at: now,
    cancelled_at: null,
  };
  const view: BookingView = {
    id,
    event_id: plan.eventId,
    customer_id: customerId,
    status: 'confirmed',
    items: items.map(({ booking_id: _, ...item }) => item),
    total,
    currency: plan.currency,
    created_at: now.toISOString(),
    cancelled_at: null,
  };
  return { booking, items, view };
}

export function checkIdempotencyKey(key: string): void {
  if (key.length === 0 || key.length > IDEMPOTENCY_KEY_MAX) {
    throw invalidField('Idempotency-Key', `must be 1 to ${IDEMPOTENCY_KEY_MAX} characters`);
  }
}

/**
 * The fingerprint of a booking request: the same tickets in any order are the same
 * request, so a client that rebuilds its body on retry still matches.
 */
export function hashRequest(input: BookingCreate): string {
  const items = input.items
    .map((item) => [item.ticket_type_id, item.quantity] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
  return createHash('sha256')
    .update(JSON.stringify([input.event_id, items]))
    .digest('hex');
}

/** The stored answer to a repeated key: the original booking, or 422 if the body differs. */
export function replayOf(
  row: { request_hash: string; response_body: string },
  requestHash: string,
): BookingOutcome {
  if (row.request_hash !== requestHash) {
    throw new ValidationError(
      'This Idempotency-Key was already used with a different request.',
      [{ path: 'Idempotency-Key', message: 'was used with a different body' }],
      'idempotency_key_reused',
    );
  }
  return { booking: JSON.parse(row.response_body) as BookingView, replayed: true };
}
