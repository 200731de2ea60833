import { randomUUID } from 'node:crypto';
import type { ApiClient } from '../../client/api-client.js';
import type { BookingCreate, Event } from '../../client/types.js';
import { UsageError } from '../../shared/errors.js';
import { formatMoney, plural } from '../format.js';
import { findTicketType, parseBookingSpec } from '../input.js';
import { printJson, printNotice, printResult } from '../output.js';
import { renderBooking } from '../views/bookings.js';
import { canPrompt, signedInClient, type ClientFlags } from './client-config.js';

export interface BookFlags extends ClientFlags {
  ticket?: string[];
}

/** Attempts after the first when the connection drops; waits 250 ms, 500 ms, 1 s. */
const RETRIES = 3;

/**
 * `evbook book [EVENT] --ticket TYPE=N ...`. In a terminal, whatever is missing is
 * asked for (event, quantities) and the total is confirmed; elsewhere it fails
 * with a usage error naming what is missing.
 */
export async function runBook(eventId: string | undefined, flags: BookFlags): Promise<void> {
  const client = signedInClient(flags);
  const interactive = canPrompt(flags);
  if (!eventId && !interactive) {
    throw new UsageError(
      'missing_argument',
      'Missing EVENT (no terminal to ask): evbook book EVENT --ticket TYPE=QUANTITY. See evbook events list.',
    );
  }
  if (!flags.ticket?.length && !interactive) {
    throw new UsageError(
      'missing_flags',
      'Missing --ticket TYPE=QUANTITY (no terminal to ask), e.g. --ticket General=2.',
    );
  }

  const prompts = interactive ? await import('./book-prompts.js') : undefined;
  const event = await client.getEvent(eventId ?? (await prompts!.pickEvent(client)));
  const body: BookingCreate = {
    event_id: event.id,
    items: flags.ticket?.length
      ? itemsFromFlags(event, flags.ticket)
      : await prompts!.pickQuantities(event),
  };
  if (prompts && !(await prompts.confirmTotal(event, body))) {
    throw new UsageError('aborted', 'Nothing booked.');
  }

  const booking = await book(client, body);

  if (flags.json) return printJson(booking);
  const count = booking.items.reduce((sum, i) => sum + i.quantity, 0);
  printResult(
    `Booked ${plural(count, 'ticket')} for "${event.title}", ${formatMoney(booking.total, booking.currency)}.\n\n` +
      renderBooking(flags, booking, event.title),
  );
}

/** One idempotency key per invocation, reused by every retry: at most one booking. */
function book(client: ApiClient, body: BookingCreate) {
  return client.createBooking(body, {
    idempotencyKey: randomUUID(),
    retries: RETRIES,
    onRetry: (attempt) =>
      printNotice(
        `evbook: connection to ${client.apiUrl} failed; retrying (${attempt}/${RETRIES})...`,
      ),
  });
}

function itemsFromFlags(event: Event, specs: string[]): BookingCreate['items'] {
  const quantities = new Map<string, number>();
  for (const spec of specs) {
    const { ref, quantity } = parseBookingSpec(spec);
    const type = findTicketType(event, ref);
    quantities.set(type.id, (quantities.get(type.id) ?? 0) + quantity);
  }
  return [...quantities].map(([ticket_type_id, quantity]) => ({ ticket_type_id, quantity }));
}
