import { confirm, number, select } from '@inquirer/prompts';
import { collectPages, type ApiClient } from '../../client/api-client.js';
import type { BookingCreate, Event } from '../../client/types.js';
import { NotFoundError, UsageError } from '../../shared/errors.js';
import { formatDate, formatMoney } from '../format.js';

/** The questions of an interactive `evbook book`, loaded only in a terminal. */

export async function pickEvent(client: ApiClient): Promise<string> {
  const events = await collectPages((cursor, limit) => client.listEvents({ cursor, limit }), 100);
  if (events.length === 0) throw new NotFoundError('No events are on sale right now.');
  return select({
    message: 'Which event?',
    pageSize: 10,
    choices: events.map((e) => ({
      name: `${e.title} — ${e.venue}, ${formatDate(e.starts_at)}`,
      value: e.id,
    })),
  });
}

export async function pickQuantities(event: Event): Promise<BookingCreate['items']> {
  const items: BookingCreate['items'] = [];
  for (const type of event.ticket_types) {
    const max = Math.min(type.available, type.max_per_booking);
    const label = `${type.name} at ${formatMoney(type.price, event.currency)}`;
    if (max === 0) continue;
    const quantity = await number({
      message: `${label} (${type.available} available, up to ${max}): how many?`,
      default: 0,
      min: 0,
      max,
      required: true,
    });
    if (quantity) items.push({ ticket_type_id: type.id, quantity });
  }
  if (items.length === 0) throw new UsageError('aborted', 'No tickets chosen; nothing booked.');
  return items;
}

export function confirmTotal(event: Event, body: BookingCreate): Promise<boolean> {
  const total = body.items.reduce((sum, item) => {
    const type = event.ticket_types.find((t) => t.id === item.ticket_type_id);
    return sum + (type?.price ?? 0) * item.quantity;
  }, 0);
  return confirm({
    message: `Book for ${formatMoney(total, event.currency)} in total?`,
    default: true,
  });
}
