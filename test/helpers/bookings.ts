import { expect } from 'chai';
import type { ApiResponse, TestApi, TestUser } from './api.js';
import type { TestDatabase } from './databases.js';
import { createEvent } from './fixtures.js';

/** What a booking request can change: stock per ticket type and the rows it writes. */
export interface BookingState {
  sold: Record<string, number>;
  bookings: number;
  booking_items: number;
  outbox: number;
  idempotency_keys: number;
}

/** Reads the booking state straight from the database, to compare before and after. */
export async function bookingState(database: TestDatabase): Promise<BookingState> {
  const knex = database.db.knex;
  const types: Array<{ id: string; sold: unknown }> = await knex('ticket_types')
    .select('id', 'sold')
    .orderBy('id');
  const count = async (table: string) => {
    const row = await knex(table).count<{ n: unknown }[]>({ n: '*' }).first();
    return Number(row?.n ?? 0);
  };
  return {
    sold: Object.fromEntries(types.map((type) => [type.id, Number(type.sold)])),
    bookings: await count('bookings'),
    booking_items: await count('booking_items'),
    outbox: await count('outbox'),
    idempotency_keys: await count('idempotency_keys'),
  };
}

/** Asserts a problem+json answer with this status and code. */
export function expectProblem(response: ApiResponse, status: number, code: string): void {
  const shown = JSON.stringify(response.body);
  expect(response.status, shown).to.equal(status);
  expect(response.headers.get('content-type'), shown).to.match(/^application\/problem\+json/);
  expect(response.body.code, shown).to.equal(code);
  expect(response.body.status, shown).to.equal(status);
}

/**
 * Runs `request` and asserts it fails with `status` and `code` and changes nothing
 * in the booking state. Returns the response for further checks.
 */
export async function expectRefused(
  database: TestDatabase,
  status: number,
  code: string,
  request: () => Promise<ApiResponse>,
): Promise<ApiResponse> {
  const before = await bookingState(database);
  const response = await request();
  expectProblem(response, status, code);
  expect(await bookingState(database)).to.deep.equal(before);
  return response;
}

/** The paths of the field errors of a 422, for `include` checks. */
export function errorPaths(response: ApiResponse): string[] {
  return (response.body.errors ?? []).map((error: { path: string }) => error.path);
}

/** The outbox rows of one kind, with their payloads parsed. */
export async function outboxRows(
  database: TestDatabase,
  kind: string,
): Promise<Array<{ kind: string; payload: Record<string, unknown> }>> {
  const rows: Array<{ kind: string; payload: string }> = await database.db
    .knex('outbox')
    .where({ kind })
    .select('kind', 'payload');
  return rows.map((row) => ({ kind: row.kind, payload: JSON.parse(row.payload) }));
}

/** `sold` of one ticket type, from the database. */
export async function soldOf(database: TestDatabase, ticketTypeId: string): Promise<number> {
  const row = await database.db.knex('ticket_types').where({ id: ticketTypeId }).first('sold');
  return Number(row.sold);
}

/** The sum of booked quantities of one ticket type over confirmed bookings. */
export async function bookedOf(database: TestDatabase, ticketTypeId: string): Promise<number> {
  const row = await database.db
    .knex('booking_items')
    .join('bookings', 'bookings.id', 'booking_items.booking_id')
    .where({ 'booking_items.ticket_type_id': ticketTypeId, 'bookings.status': 'confirmed' })
    .sum<{ n: unknown }[]>({ n: 'booking_items.quantity' })
    .first();
  return Number(row?.n ?? 0);
}

/** Moves an event's start into the past, as if it had begun an hour ago. */
export async function startEventNow(database: TestDatabase, eventId: string): Promise<void> {
  await database.db
    .knex('events')
    .where({ id: eventId })
    .update({ starts_at: new Date(Date.now() - 60 * 60 * 1000) });
}

/** Sets `sold` of a ticket type directly, for stock that was sold before the test. */
export async function setSold(database: TestDatabase, ticketTypeId: string, sold: number) {
  await database.db.knex('ticket_types').where({ id: ticketTypeId }).update({ sold });
}

/** An organiser, a customer and a published event with General (100) and VIP (10, max 4). */
export interface BookingScene {
  organiser: TestUser;
  customer: TestUser;
  event: any;
  general: any;
  vip: any;
}

export async function bookingScene(
  api: TestApi,
  eventOverrides: Record<string, unknown> = {},
): Promise<BookingScene> {
  const organiser = await api.user('organiser');
  const customer = await api.user('customer');
  const event = await createEvent(api, organiser, eventOverrides);
  const [general, vip] = event.ticket_types;
  return { organiser, customer, event, general, vip };
}
