import { UsageError } from '../../shared/errors.js';
import { findTicketType } from '../input.js';
import { printJson, printResult } from '../output.js';
import { formatMoney } from '../format.js';
import { ticketTypeFields, type TicketTypeFlags } from './add-ticket-type.js';
import { signedInClient } from './client-config.js';

/** `evbook ticket-types update EVENT TYPE`: TYPE by name or id; capacity never below sold. */
export async function runUpdateTicketType(
  eventId: string,
  ref: string,
  flags: TicketTypeFlags,
): Promise<void> {
  const changes = ticketTypeFields(flags);
  if (Object.keys(changes).length === 0) {
    throw new UsageError(
      'missing_flags',
      'Nothing to change: pass at least one of --name, --price, --quantity, --max-per-booking, --description.',
    );
  }
  const client = signedInClient(flags);
  const event = await client.getEvent(eventId);
  const current = findTicketType(event, ref);

  const ticket = await client.updateTicketType(eventId, current.id, changes);

  if (flags.json) return printJson(ticket);
  printResult(
    `Updated ticket type ${ticket.name} (${ticket.id}): ${formatMoney(ticket.price, event.currency)}, ` +
      `capacity ${ticket.quantity}, ${ticket.available} available.`,
  );
}
