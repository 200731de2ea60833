import { confirmOrYes, findTicketType } from '../input.js';
import { printJson, printResult } from '../output.js';
import { signedInClient, type ClientFlags } from './client-config.js';

/** `evbook ticket-types remove EVENT TYPE`: only while none of that type is sold. */
export async function runRemoveTicketType(
  eventId: string,
  ref: string,
  flags: ClientFlags,
): Promise<void> {
  const client = signedInClient(flags);
  const ticket = findTicketType(await client.getEvent(eventId), ref);
  await confirmOrYes(flags, `Remove ticket type ${ticket.name} (${ticket.id})?`);

  await client.removeTicketType(eventId, ticket.id);

  if (flags.json) return printJson({ id: ticket.id, event_id: eventId, deleted: true });
  printResult(`Removed ticket type ${ticket.name} (${ticket.id}).`);
}
