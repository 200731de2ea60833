import { printJson, printResult } from '../output.js';
import { renderBooking } from '../views/bookings.js';
import { signedInClient, type ClientFlags } from './client-config.js';

/** `evbook bookings show BOOKING`: one of your bookings, item by item. */
export async function runShowBooking(id: string, flags: ClientFlags): Promise<void> {
  const client = signedInClient(flags);
  const booking = await client.getBooking(id);
  if (flags.json) return printJson(booking);
  const title = await client.getEvent(booking.event_id).then(
    (event) => event.title,
    () => undefined, // An unpublished or deleted event: show the booking without its title.
  );
  printResult(renderBooking(flags, booking, title));
}
