import { formatMoney } from '../format.js';
import { confirmOrYes } from '../input.js';
import { printJson, printResult } from '../output.js';
import { signedInClient, type ClientFlags } from './client-config.js';

/** `evbook bookings cancel BOOKING`: tickets go back on sale at once. */
export async function runCancelBooking(id: string, flags: ClientFlags): Promise<void> {
  const client = signedInClient(flags);
  await confirmOrYes(flags, `Cancel booking ${id}?`);
  const booking = await client.cancelBooking(id);
  if (flags.json) return printJson(booking);
  printResult(`Cancelled booking ${booking.id} (${formatMoney(booking.total, booking.currency)}).`);
}
