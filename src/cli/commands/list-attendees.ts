import { collectPages } from '../../client/api-client.js';
import type { BookingStatus } from '../../client/types.js';
import { printJson, printResult, progressLine } from '../output.js';
import { attendeesCsv, renderAttendees } from '../views/bookings.js';
import { signedInClient, type ClientFlags } from './client-config.js';

export interface AttendeesFlags extends ClientFlags {
  format?: 'table' | 'csv';
  status?: BookingStatus;
}

/** `evbook attendees EVENT`: every booking of your event with who made it (all pages). */
export async function runListAttendees(eventId: string, flags: AttendeesFlags): Promise<void> {
  const client = signedInClient(flags);
  const progress = progressLine();
  const attendees = await collectPages(
    (cursor, limit) => client.listAttendees(eventId, { status: flags.status, cursor, limit }),
    undefined,
    (count) => progress.update(`fetched ${count} bookings...`),
  ).finally(() => progress.done());

  if (flags.json) return printJson(attendees);
  if (flags.format === 'csv') return printResult(attendeesCsv(attendees));
  printResult(renderAttendees(flags, attendees));
}
