import { newId } from '../../shared/ids.js';
import { invalidField } from '../errors.js';
import type { TicketTypeCreate } from './schemas.js';

/** A sales window, when both ends are set, must close after it opens. */
export function checkSalesWindow(start: Date | null, end: Date | null, path: string): void {
  if (start && end && end <= start)
    throw invalidField(path ? `${path}.sales_end` : 'sales_end', 'must be after sales_start');
}

/** The row a new ticket type is stored as. */
export function ticketTypeRow(eventId: string, input: TicketTypeCreate, now: Date) {
  return {
    id: newId(),
    event_id: eventId,
    name: input.name,
    description: input.description,
    price: input.price,
    quantity: input.quantity,
    sold: 0,
    max_per_booking: input.max_per_booking,
    sales_start: input.sales_start,
    sales_end: input.sales_end,
    created_at: now,
    updated_at: now,
  };
}
