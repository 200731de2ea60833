import type { Database } from '../db/connection.js';

/** One customer holding confirmed bookings for an event. */
export interface Holder {
  customerId: string;
  email: string;
  name: string;
  /** Their confirmed bookings for the event, in id order. */
  bookingIds: string[];
}

interface HolderRow {
  customer_id: string;
  email: string;
  name: string;
  booking_ids: string;
}

/**
 * One page of an event's ticket holders, after `afterCustomerId`, in customer order:
 * one row per customer however many bookings they hold. Keyset paging on the
 * `(event_id, status, customer_id)` index keeps each page one index range scan, so
 * the cost and memory of a fan-out grow with the page size, not with the holders.
 */
export async function fetchHolderPage(
  db: Database,
  eventId: string,
  afterCustomerId: string | null,
  limit: number,
): Promise<Holder[]> {
  const ids =
    db.dialect === 'postgres'
      ? "string_agg(b.id::text, ',' order by b.id)"
      : "group_concat(b.id, ',')";
  const query = db
    .knex('bookings as b')
    .join('users as u', 'u.id', 'b.customer_id')
    .where('b.event_id', eventId)
    .andWhere('b.status', 'confirmed')
    .groupBy('b.customer_id', 'u.email', 'u.name')
    .orderBy('b.customer_id')
    .limit(limit)
    .select('b.customer_id', 'u.email', 'u.name', db.knex.raw(`${ids} as booking_ids`));
  if (afterCustomerId !== null) query.andWhere('b.customer_id', '>', afterCustomerId);
  const rows = (await query) as HolderRow[];
  return rows.map((row) => ({
    customerId: row.customer_id,
    email: row.email,
    name: row.name,
    bookingIds: row.booking_ids.split(',').sort(),
  }));
}

/** Every holder of an event, page by page; only one page is in memory at a time. */
export async function* holderPages(
  db: Database,
  eventId: string,
  pageSize: number,
): AsyncGenerator<Holder[]> {
  let after: string | null = null;
  for (;;) {
    const page = await fetchHolderPage(db, eventId, after, pageSize);
    if (page.length === 0) return;
    yield page;
    if (page.length < pageSize) return;
    after = page[page.length - 1]!.customerId;
  }
}
