import { groupBy } from '../../shared/collections.js';
import type { Knex } from '../../db/connection.js';
import { toDate, toDateOrNull, toInt } from '../../db/sql.js';
import type { BookingStatus, BookingView } from './schemas.js';

export interface BookingRow {
  id: string;
  event_id: string;
  customer_id: string;
  status: BookingStatus;
  total: unknown;
  currency: string;
  created_at: unknown;
  cancelled_at: unknown;
}

export interface BookingItemRow {
  booking_id: string;
  ticket_type_id: string;
  name: string;
  quantity: unknown;
  unit_price: unknown;
}

export function toBookingView(row: BookingRow, items: BookingItemRow[]): BookingView {
  return {
    id: row.id,
    event_id: row.event_id,
    customer_id: row.customer_id,
    status: row.status,
    items: items.map((item) => ({
      ticket_type_id: item.ticket_type_id,
      name: item.name,
      quantity: toInt(item.quantity),
      unit_price: toInt(item.unit_price),
    })),
    total: toInt(row.total),
    currency: row.currency,
    created_at: toDate(row.created_at).toISOString(),
    cancelled_at: toDateOrNull(row.cancelled_at)?.toISOString() ?? null,
  };
}

/** The views of many bookings, their items fetched in one query. */
export async function toBookingViews(knex: Knex, rows: BookingRow[]): Promise<BookingView[]> {
  if (rows.length === 0) return [];
  const items = await knex<BookingItemRow>('booking_items')
    .whereIn(
      'booking_id',
      rows.map((r) => r.id),
    )
    .orderBy([{ column: 'booking_id' }, { column: 'name' }]);
  const byBooking = groupBy(items, (item) => item.booking_id);
  return rows.map((row) => toBookingView(row, byBooking.get(row.id) ?? []));
}
