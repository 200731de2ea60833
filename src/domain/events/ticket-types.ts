import type { Knex } from '../../db/connection.js';
import { isForeignKeyViolation, toDateOrNull, toInt } from '../../db/sql.js';
import { isId } from '../../shared/ids.js';
import {
  eventCancelled,
  quantityBelowSold,
  ticketTypeHasSales,
  ticketTypeNotFound,
} from '../errors.js';
import { lockOwnEvent, rethrowNameTaken } from './events.js';
import { toTicketTypeView, type TicketTypeRow } from './rows.js';
import type { TicketTypeCreate, TicketTypePatch, TicketTypeView } from './schemas.js';
import { checkSalesWindow, ticketTypeRow } from './ticket-type-rules.js';

/** Adds a ticket type to an organiser's own event that is not cancelled. */
export async function addTicketType(
  knex: Knex,
  organiserId: string,
  eventId: string,
  input: TicketTypeCreate,
  now = new Date(),
): Promise<TicketTypeView> {
  checkSalesWindow(input.sales_start, input.sales_end, '');
  const row = ticketTypeRow(eventId, input, now);

  await knex
    .transaction(async (trx) => {
      const event = await lockOwnEvent(trx, organiserId, eventId, now);
      if (event.status === 'cancelled') throw eventCancelled();
      await trx('ticket_types').insert(row);
    })
    .catch((error: unknown) => rethrowNameTaken(error, input.name));
  return toTicketTypeView(row, { includeSold: true });
}

/**
 * Changes a ticket type. Capacity never drops below what is sold: the check is part
 * of the UPDATE, so a booking landing at the same moment cannot slip past it.
 * Existing bookings keep the price they were sold at.
 */
export async function updateTicketType(
  knex: Knex,
  organiserId: string,
  eventId: string,
  id: string,
  patch: TicketTypePatch,
  now = new Date(),
): Promise<TicketTypeView> {
  if (!isId(id)) throw ticketTypeNotFound();

  const updated = await knex
    .transaction(async (trx) => {
      const event = await lockOwnEvent(trx, organiserId, eventId, now);
      if (event.status === 'cancelled') throw eventCancelled();
      const current = await trx<TicketTypeRow>('ticket_types')
        .where({ id, event_id: eventId })
        .first();
      if (!current) throw ticketTypeNotFound();

      const salesStart =
        patch.sales_start === undefined ? toDateOrNull(current.sales_start) : patch.sales_start;
      const salesEnd =
        patch.sales_end === undefined ? toDateOrNull(current.sales_end) : patch.sales_end;
      checkSalesWindow(salesStart, salesEnd, '');

      const update = trx('ticket_types')
        .where({ id, event_id: eventId })
        .update({ ...patch, updated_at: now });
      if (patch.quantity !== undefined) update.where('sold', '<=', patch.quantity);
      if ((await update) === 0) {
        const sold = await trx('ticket_types').where({ id }).first('sold');
        throw quantityBelowSold(toInt(sold?.sold));
      }
      return trx<TicketTypeRow>('ticket_types').where({ id }).first();
    })
    .catch((error: unknown) => rethrowNameTaken(error, patch.name));
  if (!updated) throw ticketTypeNotFound();
  return toTicketTypeView(updated, { includeSold: true });
}

/**
 * Removes a ticket type nobody has ever booked. Once any booking names it, it
 * stays: bookings keep pointing at what was sold.
 */
export async function removeTicketType(
  knex: Knex,
  organiserId: string,
  eventId: string,
  id: string,
  now = new Date(),
): Promise<void> {
  if (!isId(id)) throw ticketTypeNotFound();

  await knex
    .transaction(async (trx) => {
      await lockOwnEvent(trx, organiserId, eventId, now);
      const removed = await trx('ticket_types')
        .where({ id, event_id: eventId })
        .whereNotExists(trx('booking_items').select(trx.raw('1')).where({ ticket_type_id: id }))
        .delete();
      if (removed > 0) return;
      const exists = await trx('ticket_types').where({ id, event_id: eventId }).first('id');
      throw exists ? ticketTypeHasSales() : ticketTypeNotFound();
    })
    .catch((error: unknown) => {
      // A booking committed between our check and the delete still holds the row.
      if (isForeignKeyViolation(error)) throw ticketTypeHasSales();
      throw error;
    });
}
