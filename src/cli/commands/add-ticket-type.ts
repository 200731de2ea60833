import type { TicketTypeCreate } from '../../client/types.js';
import { UsageError } from '../../shared/errors.js';
import { parseInstant, parseWhole } from '../input.js';
import { printJson, printResult } from '../output.js';
import { formatMoney } from '../format.js';
import { signedInClient, type ClientFlags } from './client-config.js';

export interface TicketTypeFlags extends ClientFlags {
  name?: string;
  price?: string;
  quantity?: string;
  maxPerBooking?: string;
  description?: string;
  salesStart?: string;
  salesEnd?: string;
}

/** The fields given as flags, parsed; absent flags stay absent. */
export function ticketTypeFields(flags: TicketTypeFlags): Partial<TicketTypeCreate> {
  const fields: Partial<TicketTypeCreate> = {};
  if (flags.name !== undefined) fields.name = flags.name;
  if (flags.description !== undefined) fields.description = flags.description;
  if (flags.price !== undefined) fields.price = parseWhole(flags.price, '--price');
  if (flags.quantity !== undefined) fields.quantity = parseWhole(flags.quantity, '--quantity');
  if (flags.maxPerBooking !== undefined) {
    fields.max_per_booking = parseWhole(flags.maxPerBooking, '--max-per-booking', 1);
  }
  if (flags.salesStart !== undefined)
    fields.sales_start = parseInstant(flags.salesStart, '--sales-start');
  if (flags.salesEnd !== undefined) fields.sales_end = parseInstant(flags.salesEnd, '--sales-end');
  return fields;
}

/** `evbook ticket-types add EVENT --name --price --quantity`. */
export async function runAddTicketType(eventId: string, flags: TicketTypeFlags): Promise<void> {
  const missing = (['name', 'price', 'quantity'] as const).filter(
    (key) => flags[key] === undefined,
  );
  if (missing.length > 0)
    throw new UsageError('missing_flags', `Missing --${missing.join(', --')}.`);
  const client = signedInClient(flags);

  const ticket = await client.addTicketType(eventId, ticketTypeFields(flags) as TicketTypeCreate);

  if (flags.json) return printJson(ticket);
  const { currency } = await client.getEvent(eventId);
  printResult(
    `Added ticket type ${ticket.name} (${ticket.id}): ${formatMoney(ticket.price, currency)}, ${ticket.quantity} available.`,
  );
}
