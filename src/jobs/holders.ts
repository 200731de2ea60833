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
    db.dialect === 'postgres' ? "string_agg(id::text, ',' order by id)" : "group_concat(id, ',')";
  // Group the bookings alone, so that the index gives the groups in order and the
  // LIMIT stops the scan; then join the page's users. Grouping after the join lets
  // SQLite sort every remaining holder for each page.
  const page = db
    .knex('bookings')
    .where({ event_id: eventId, status: 'confirmed' })
    .groupBy('customer_id')
    .orderBy('customer_id')
    .limit(limit)
    .select('customer_id', db.knex.raw(`${ids} as booking_ids`));
  if (afterCustomerId !== null) page.andWhere('customer_id', '>', afterCustomerId);
  const query = db
    .knex(page.as('h'))
    .join('users as u', 'u.id', 'h.customer_id')
    .orderBy('h.customer_id')
    .select('h.customer_id', 'u.email', 'u.name', 'h.booking_ids');
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
