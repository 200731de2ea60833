import type { Event, TicketType, TicketTypeCreate } from '../client/types.js';
import { UsageError } from '../shared/errors.js';
import { canPrompt, type ClientFlags } from './commands/client-config.js';

/** A whole number from a flag, or a usage error naming the flag. */
export function parseWhole(value: string, flag: string, min = 0): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < min) {
    throw new UsageError(
      'bad_flag',
      `${flag} must be a whole number of at least ${min} (got "${value}").`,
    );
  }
  return Number(value);
}

/**
 * A date and time from a flag, as an RFC 3339 UTC instant. Without an offset it is
 * read in the user's time zone (`2027-05-01T19:00` or `2027-05-01 19:00`).
 */
export function parseInstant(value: string, flag: string): string {
  const date = new Date(
    value.includes('T') || !value.includes(' ') ? value : value.replace(' ', 'T'),
  );
  if (Number.isNaN(date.getTime())) {
    throw new UsageError(
      'bad_flag',
      `${flag} must be a date and time such as 2027-05-01T19:00 (got "${value}").`,
    );
  }
  return date.toISOString();
}

/** `--ticket "General:2500:200[:MAX_PER_BOOKING]"`: name, price in minor units, capacity. */
export function parseTicketSpec(spec: string): TicketTypeCreate {
  const parts = spec.split(':');
  const name = parts[0]?.trim();
  if (!name || parts.length < 3 || parts.length > 4) {
    throw new UsageError(
      'bad_flag',
      `--ticket must be NAME:PRICE:QUANTITY[:MAX_PER_BOOKING], e.g. "General:2500:200" (got "${spec}").`,
    );
  }
  const ticket: TicketTypeCreate = {
    name,
    price: parseWhole(parts[1]!, `--ticket ${name} price (minor units)`),
    quantity: parseWhole(parts[2]!, `--ticket ${name} quantity`),
  };
  if (parts[3] !== undefined)
    ticket.max_per_booking = parseWhole(parts[3], `--ticket ${name} max`, 1);
  return ticket;
}

/** `--ticket General=2`: a ticket type (name or id) and a quantity. */
export function parseBookingSpec(spec: string): { ref: string; quantity: number } {
  const at = spec.lastIndexOf('=');
  if (at <= 0) {
    throw new UsageError(
      'bad_flag',
      `--ticket must be TYPE=QUANTITY, e.g. General=2 (got "${spec}").`,
    );
  }
  return {
    ref: spec.slice(0, at).trim(),
    quantity: parseWhole(spec.slice(at + 1), `--ticket ${spec}`, 1),
  };
}

/** The ticket type of `event` named `ref` (case-insensitively) or with that id. */
export function findTicketType(event: Event, ref: string): TicketType {
  const wanted = ref.toLowerCase();
  const found =
    event.ticket_types.find((t) => t.id === ref) ??
    event.ticket_types.find((t) => t.name.toLowerCase() === wanted);
  if (!found) {
    const names = event.ticket_types.map((t) => t.name).join(', ') || 'none';
    throw new UsageError(
      'unknown_ticket_type',
      `"${event.title}" has no ticket type "${ref}" (it has: ${names}).`,
    );
  }
  return found;
}

/** Repeatable commander option: collects every value. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * Asks before something that cannot be undone. In a terminal it prompts; otherwise
 * `--yes` is required, so a script states its intent instead of hanging.
 */
export async function confirmOrYes(flags: ClientFlags, question: string): Promise<void> {
  if (flags.yes) return;
  if (!canPrompt(flags)) {
    throw new UsageError(
      'confirmation_required',
      `${question} Pass --yes to confirm (no terminal to ask).`,
    );
  }
  const { confirm } = await import('@inquirer/prompts');
  if (!(await confirm({ message: question, default: false }))) {
    throw new UsageError('aborted', 'Nothing changed.');
  }
}
