import type { Event, TicketType } from '../../client/types.js';
import { formatDate, formatMoney } from '../format.js';
import { paint, renderTable, statusText, type StyleFlags } from '../style.js';

/** The catalogue or an organiser's events, one row each. */
export function renderEventList(flags: StyleFlags, events: Event[]): string {
  if (events.length === 0) return 'No events.';
  const rows = events.map((e) => [
    e.id,
    e.title,
    e.venue,
    formatDate(e.starts_at),
    statusText(flags, e.status),
    fromPrice(e),
    String(e.ticket_types.reduce((sum, t) => sum + t.available, 0)),
  ]);
  return renderTable(
    flags,
    ['ID', 'TITLE', 'VENUE', 'STARTS', 'STATUS', 'FROM', 'AVAILABLE'],
    rows,
  );
}

/** One event: its facts, then its ticket types. */
export function renderEvent(flags: StyleFlags, event: Event): string {
  const c = paint(flags);
  const lines = [
    `${c.bold(event.title)}  ${statusText(flags, event.status)}`,
    `${c.dim('id')}      ${event.id}`,
    `${c.dim('venue')}   ${event.venue}`,
    `${c.dim('starts')}  ${formatDate(event.starts_at)}`,
    `${c.dim('ends')}    ${formatDate(event.ends_at)}`,
  ];
  if (event.description) lines.push('', event.description);
  lines.push('', renderTicketTypes(flags, event));
  return lines.join('\n');
}

export function renderTicketTypes(flags: StyleFlags, event: Event): string {
  if (event.ticket_types.length === 0) return 'No ticket types yet.';
  const organiser = event.ticket_types.some((t) => t.sold !== undefined);
  const head = [
    'TICKET TYPE',
    'PRICE',
    'AVAILABLE',
    'CAPACITY',
    ...(organiser ? ['SOLD'] : []),
    'ID',
  ];
  const rows = event.ticket_types.map((t) => [
    t.name,
    formatMoney(t.price, event.currency),
    availability(flags, t),
    String(t.quantity),
    ...(organiser ? [String(t.sold ?? 0)] : []),
    t.id,
  ]);
  return renderTable(flags, head, rows);
}

function availability(flags: StyleFlags, ticket: TicketType): string {
  const c = paint(flags);
  return ticket.available === 0 ? c.red('sold out') : String(ticket.available);
}

function fromPrice(event: Event): string {
  if (event.ticket_types.length === 0) return '-';
  const lowest = Math.min(...event.ticket_types.map((t) => t.price));
  return formatMoney(lowest, event.currency);
}
