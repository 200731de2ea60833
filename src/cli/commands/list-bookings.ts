import { collectPages } from '../../client/api-client.js';
import type { BookingStatus } from '../../client/types.js';
import { parseWhole } from '../input.js';
import { printJson, printResult } from '../output.js';
import { renderBookingList } from '../views/bookings.js';
import { signedInClient, type ClientFlags } from './client-config.js';

export interface ListBookingsFlags extends ClientFlags {
  status?: BookingStatus;
  event?: string;
  limit?: string;
}

/** `evbook bookings list`: your bookings, newest first. */
export async function runListBookings(flags: ListBookingsFlags): Promise<void> {
  const client = signedInClient(flags);
  const max = parseWhole(flags.limit ?? '50', '--limit', 1);
  const bookings = await collectPages(
    (cursor, limit) =>
      client.listBookings({ status: flags.status, event_id: flags.event, cursor, limit }),
    max,
  );

  if (flags.json) return printJson(bookings);
  printResult(renderBookingList(flags, bookings));
}
