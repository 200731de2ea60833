import { toDate, toDateOrNull, toInt } from '../../db/sql.js';
import type { EventStatus, EventView, TicketTypeView } from './schemas.js';

/** Columns of `events` and `ticket_types` as the two drivers return them. */
export interface EventRow {
  id: string;
  organiser_id: string;
  title: string;
  description: string;
  venue: string;
  starts_at: unknown;
  ends_at: unknown;
  currency: string;
  status: EventStatus;
  created_at: unknown;
  updated_at: unknown;
}

export interface TicketTypeRow {
  id: string;
  event_id: string;
  name: string;
  description: string;
  price: unknown;
  quantity: unknown;
  sold: unknown;
  max_per_booking: unknown;
  sales_start: unknown;
  sales_end: unknown;
}

export interface ViewOptions {
  /** Organisers see how many were sold; customers only what is left. */
  includeSold: boolean;
}

export function toTicketTypeView(row: TicketTypeRow, options: ViewOptions): TicketTypeView {
  const quantity = toInt(row.quantity);
  const sold = toInt(row.sold);
  return {
    id: row.id,
    event_id: row.event_id,
    name: row.name,
    description: row.description,
    price: toInt(row.price),
    quantity,
    available: quantity - sold,
    ...(options.includeSold ? { sold } : {}),
    max_per_booking: toInt(row.max_per_booking),
    sales_start: toDateOrNull(row.sales_start)?.toISOString() ?? null,
    sales_end: toDateOrNull(row.sales_end)?.toISOString() ?? null,
  };
}

export function toEventView(
  row: EventRow,
  ticketTypes: TicketTypeRow[],
  options: ViewOptions,
): EventView {
  return {
    id: row.id,
    organiser_id: row.organiser_id,
    title: row.title,
    description: row.description,
    venue: row.venue,
    starts_at: toDate(row.starts_at).toISOString(),
    ends_at: toDate(row.ends_at).toISOString(),
    currency: row.currency,
    status: row.status,
    ticket_types: ticketTypes.map((t) => toTicketTypeView(t, options)),
    created_at: toDate(row.created_at).toISOString(),
    updated_at: toDate(row.updated_at).toISOString(),
  };
}

/** Ticket types in a stable order: as created, then by id. */
export const TICKET_TYPE_ORDER = [
  { column: 'created_at', order: 'asc' },
  { column: 'id', order: 'asc' },
] as const;
