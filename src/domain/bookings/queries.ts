import type { Knex } from '../../db/connection.js';
import { isId } from '../../shared/ids.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { bookingNotFound, eventNotFound } from '../errors.js';
import type { Page } from '../schemas.js';
import { toBookingViews, type BookingRow } from './rows.js';
import type { AttendeeListQuery, AttendeeView, BookingListQuery, BookingView } from './schemas.js';

/** A customer's own booking; anyone else's is a 404. */
export async function getBooking(knex: Knex, customerId: string, id: string): Promise<BookingView> {
  if (!isId(id)) throw bookingNotFound();
  const row = await knex<BookingRow>('bookings').where({ id, customer_id: customerId }).first();
  if (!row) throw bookingNotFound();
  const [view] = await toBookingViews(knex, [row]);
  return view!;
}

/** A customer's own bookings, newest first. */
export async function listBookings(
  knex: Knex,
  customerId: string,
  query: BookingListQuery,
): Promise<Page<BookingView>> {
  const rows = knex<BookingRow>('bookings').where({ customer_id: customerId });
  if (query.status) rows.where({ status: query.status });
  if (query.event_id !== undefined) {
    if (!isId(query.event_id)) return { data: [], next_cursor: null };
    rows.where({ event_id: query.event_id });
  }
  if (query.cursor) rows.where('id', '<', decodeCursor(query.cursor, ['id'])[0] as string);
  const found: BookingRow[] = await rows.orderBy('id', 'desc').limit(query.limit + 1);
  return paged(await toBookingViews(knex, found.slice(0, query.limit)), found.length > query.limit);
}

/**
 * The attendee list of an organiser's own event: its bookings, oldest first, each
 * with the customer who made it. Another organiser's event is a 404.
 */
export async function listAttendees(
  knex: Knex,
  organiserId: string,
  eventId: string,
  query: AttendeeListQuery,
): Promise<Page<AttendeeView>> {
  if (!isId(eventId)) throw eventNotFound();
  const event = await knex('events').where({ id: eventId, organiser_id: organiserId }).first('id');
  if (!event) throw eventNotFound();

  const rows = knex('bookings')
    .join('users', 'users.id', 'bookings.customer_id')
    .where({ 'bookings.event_id': eventId })
    .select('bookings.*', 'users.name as customer_name', 'users.email as customer_email');
  if (query.status) rows.where({ 'bookings.status': query.status });
  if (query.cursor) {
    rows.where('bookings.id', '>', decodeCursor(query.cursor, ['id'])[0] as string);
  }
  const found: Array<BookingRow & { customer_name: string; customer_email: string }> = await rows
    .orderBy('bookings.id', 'asc')
    .limit(query.limit + 1);

  const page = found.slice(0, query.limit);
  const views = await toBookingViews(knex, page);
  const data = views.map((view, i) => ({
    ...view,
    customer: {
      id: view.customer_id,
      name: page[i]!.customer_name,
      email: page[i]!.customer_email,
    },
  }));
  return paged(data, found.length > query.limit);
}

function paged<T extends { id: string }>(data: T[], hasMore: boolean): Page<T> {
  const last = data.at(-1);
  return { data, next_cursor: hasMore && last ? encodeCursor([last.id]) : null };
}
