import type { Knex } from '../../db/connection.js';
import { bookingNotCancellable, bookingNotFound } from '../errors.js';
import { recordOutbox } from '../outbox.js';
import { getBooking } from './queries.js';
import type { BookingView } from './schemas.js';
import { isId } from '../../shared/ids.js';

/**
 * Cancels a customer's own booking and returns its tickets to stock at once
 * (API.md, booking rule 7). Cancelling a cancelled booking returns it unchanged;
 * once the event has started, bookings can no longer be cancelled.
 */
export async function cancelBooking(
  knex: Knex,
  customerId: string,
  id: string,
  now = new Date(),
): Promise<BookingView> {
  if (!isId(id)) throw bookingNotFound();

  const cancelled = await knex.transaction(async (trx) => {
    // The status change is the guard: only one of two concurrent cancels wins it.
    const changed = await trx('bookings')
      .where({ id, customer_id: customerId, status: 'confirmed' })
      .whereExists(
        trx('events')
          .select(trx.raw('1'))
          .whereRaw('events.id = bookings.event_id')
          .where('starts_at', '>', now),
      )
      .update({ status: 'cancelled', cancelled_at: now });
    if (changed === 0) return false;

    await trx.raw(
      `update ticket_types
          set sold = sold - (select bi.quantity from booking_items bi
                              where bi.booking_id = ? and bi.ticket_type_id = ticket_types.id)
        where id in (select ticket_type_id from booking_items where booking_id = ?)`,
      [id, id],
    );
    const booking = await trx('bookings').where({ id }).first('event_id');
    await recordOutbox(
      trx,
      'booking.cancelled',
      { booking_id: id, customer_id: customerId, event_id: booking?.event_id },
      now,
    );
    return true;
  });

  const booking = await getBooking(knex, customerId, id);
  if (!cancelled && booking.status === 'confirmed') throw bookingNotCancellable();
  return booking;
}
