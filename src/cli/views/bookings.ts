import type { Attendee, Booking } from '../../client/types.js';
import { csvField, formatDate, formatMoney, plural } from '../format.js';
import { paint, renderTable, statusText, type StyleFlags } from '../style.js';

export function renderBookingList(flags: StyleFlags, bookings: Booking[]): string {
  if (bookings.length === 0) return 'No bookings.';
  const rows = bookings.map((b) => [
    b.id,
    b.event_id,
    itemsText(b),
    formatMoney(b.total, b.currency),
    statusText(flags, b.status),
    formatDate(b.created_at),
  ]);
  return renderTable(flags, ['ID', 'EVENT', 'TICKETS', 'TOTAL', 'STATUS', 'BOOKED'], rows);
}

export function renderBooking(flags: StyleFlags, booking: Booking, eventTitle?: string): string {
  const c = paint(flags);
  const lines = [
    `${c.bold(`Booking ${booking.id}`)}  ${statusText(flags, booking.status)}`,
    `${c.dim('event')}   ${eventTitle ? `${eventTitle} (${booking.event_id})` : booking.event_id}`,
    `${c.dim('booked')}  ${formatDate(booking.created_at)}`,
  ];
  if (booking.cancelled_at) lines.push(`${c.dim('cancelled')} ${formatDate(booking.cancelled_at)}`);
  const rows = booking.items.map((i) => [
    i.name,
    String(i.quantity),
    formatMoney(i.unit_price, booking.currency),
    formatMoney(i.unit_price * i.quantity, booking.currency),
  ]);
  rows.push(['', '', c.bold('TOTAL'), c.bold(formatMoney(booking.total, booking.currency))]);
  lines.push('', renderTable(flags, ['TICKET TYPE', 'QTY', 'UNIT PRICE', 'AMOUNT'], rows));
  return lines.join('\n');
}

export function renderAttendees(flags: StyleFlags, attendees: Attendee[]): string {
  if (attendees.length === 0) return 'No bookings yet.';
  const rows = attendees.map((a) => [
    a.customer.name,
    a.customer.email,
    itemsText(a),
    formatMoney(a.total, a.currency),
    statusText(flags, a.status),
    a.id,
  ]);
  return renderTable(flags, ['NAME', 'EMAIL', 'TICKETS', 'TOTAL', 'STATUS', 'BOOKING'], rows);
}

/** One line per booking item: a spreadsheet can sum and filter it. */
export function attendeesCsv(attendees: Attendee[]): string {
  const head = [
    'booking_id',
    'status',
    'name',
    'email',
    'ticket_type',
    'quantity',
    'unit_price',
    'currency',
    'booked_at',
  ];
  const lines = [head.join(',')];
  for (const a of attendees) {
    for (const item of a.items) {
      const row = [
        a.id,
        a.status,
        a.customer.name,
        a.customer.email,
        item.name,
        item.quantity,
        item.unit_price,
        a.currency,
        a.created_at,
      ];
      lines.push(row.map(csvField).join(','));
    }
  }
  return lines.join('\n');
}

function itemsText(booking: Booking): string {
  return booking.items.map((i) => `${i.quantity}× ${i.name}`).join(', ') || plural(0, 'ticket');
}
