import type { Knex } from '../db/connection.js';
import { toInt } from '../db/sql.js';

/** A ticket type whose running `sold` count disagrees with its bookings. */
export interface StockDrift {
  ticket_type_id: string;
  event_id: string;
  name: string;
  quantity: number;
  /** The running count kept by the booking path. */
  sold: number;
  /** The sum of quantities in confirmed bookings. */
  booked: number;
}

/**
 * Recomputes every ticket type's sold count from its confirmed bookings and returns
 * those that drifted (or exceed their capacity). Empty means the books balance.
 * One grouped query; on a large database it reads every booking item once.
 */
export async function findStockDrift(knex: Knex): Promise<StockDrift[]> {
  const booked = knex('booking_items as bi')
    .join('bookings as b', 'b.id', 'bi.booking_id')
    .where('b.status', 'confirmed')
    .groupBy('bi.ticket_type_id')
    .select('bi.ticket_type_id')
    .sum({ booked: 'bi.quantity' })
    .as('confirmed');
  const rows = await knex('ticket_types as t')
    .leftJoin(booked, 'confirmed.ticket_type_id', 't.id')
    .select('t.id', 't.event_id', 't.name', 't.quantity', 't.sold', 'confirmed.booked')
    .whereRaw('t.sold <> coalesce(confirmed.booked, 0) or t.sold > t.quantity')
    .orderBy('t.id');
  return rows.map((row) => ({
    ticket_type_id: row.id,
    event_id: row.event_id,
    name: row.name,
    quantity: toInt(row.quantity),
    sold: toInt(row.sold),
    booked: toInt(row.booked ?? 0),
  }));
}
