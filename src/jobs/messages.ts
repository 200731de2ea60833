import type { BookingView } from '../domain/bookings/schemas.js';

/**
 * The text of every email, in one place. Pure functions of plain data, so that the
 * wording can be read and tested without a database or a mailer.
 */

/** The event as an email describes it. */
export interface EventSummary {
  id: string;
  title: string;
  venue: string;
  startsAt: string;
  endsAt: string;
}

/** What an event update changed: field name to old and new value. */
export type EventChanges = Partial<Record<'title' | 'venue' | 'starts_at' | 'ends_at', Change>>;
export interface Change {
  old: string;
  new: string;
}

export interface Composed {
  subject: string;
  text: string;
}

const FIELD_LABELS: Record<keyof EventChanges, string> = {
  title: 'Title',
  venue: 'Venue',
  starts_at: 'Starts',
  ends_at: 'Ends',
};

function when(iso: string): string {
  return new Date(iso).toUTCString();
}

function eventLines(event: EventSummary): string[] {
  return [
    `Event: ${event.title}`,
    `Where: ${event.venue}`,
    `When:  ${when(event.startsAt)} to ${when(event.endsAt)}`,
  ];
}

function money(minor: number, currency: string): string {
  return `${(minor / 100).toFixed(2)} ${currency}`;
}

function bookingLines(booking: BookingView): string[] {
  return [
    `Booking: ${booking.id}`,
    ...booking.items.map(
      (item) => `  ${item.quantity} x ${item.name} at ${money(item.unit_price, booking.currency)}`,
    ),
    `Total: ${money(booking.total, booking.currency)}`,
  ];
}

/** `booking.confirmed`, to the customer. */
export function bookingConfirmed(
  name: string,
  event: EventSummary,
  booking: BookingView,
  link: string,
): Composed {
  return {
    subject: `Booking confirmed: ${event.title}`,
    text: [
      `Hello ${name},`,
      '',
      `Your booking for ${event.title} is confirmed.`,
      '',
      ...eventLines(event),
      ...bookingLines(booking),
      '',
      `Your booking: ${link}`,
    ].join('\n'),
  };
}

/** `booking.cancelled`, to the customer. */
export function bookingCancelled(
  name: string,
  event: EventSummary,
  booking: BookingView,
  link: string,
): Composed {
  return {
    subject: `Booking cancelled: ${event.title}`,
    text: [
      `Hello ${name},`,
      '',
      `Your booking for ${event.title} has been cancelled and its tickets released.`,
      '',
      ...eventLines(event),
      ...bookingLines(booking),
      '',
      `Your booking: ${link}`,
    ].join('\n'),
  };
}

function changeLines(changes: EventChanges): string[] {
  return (Object.keys(FIELD_LABELS) as Array<keyof EventChanges>).flatMap((field) => {
    const change = changes[field];
    if (!change) return [];
    const show = field.endsWith('_at') ? when : (value: string) => value;
    return [`  ${FIELD_LABELS[field]}: ${show(change.old)} -> ${show(change.new)}`];
  });
}

function heldLines(bookingIds: string[]): string[] {
  return [
    bookingIds.length === 1 ? 'Your booking:' : 'Your bookings:',
    ...bookingIds.map((id) => `  ${id}`),
  ];
}

/** `event.changed`, to each holder once. */
export function eventChanged(
  name: string,
  event: EventSummary,
  changes: EventChanges,
  bookingIds: string[],
): Composed {
  const fields = (Object.keys(FIELD_LABELS) as Array<keyof EventChanges>)
    .filter((field) => changes[field])
    .map((field) => FIELD_LABELS[field].toLowerCase());
  return {
    subject: `Changed (${fields.join(', ')}): ${event.title}`,
    text: [
      `Hello ${name},`,
      '',
      `${event.title}, for which you hold tickets, has changed:`,
      ...changeLines(changes),
      '',
      ...eventLines(event),
      ...heldLines(bookingIds),
    ].join('\n'),
  };
}

/** `event.cancelled`, to each holder once. */
export function eventCancelled(
  name: string,
  event: EventSummary,
  changes: EventChanges,
  bookingIds: string[],
): Composed {
  const changed = changeLines(changes);
  return {
    subject: `Cancelled: ${event.title}`,
    text: [
      `Hello ${name},`,
      '',
      `${event.title}, for which you hold tickets, has been cancelled by its organiser.`,
      ...(changed.length > 0 ? ['It had also changed:', ...changed] : []),
      '',
      ...eventLines(event),
      ...heldLines(bookingIds),
    ].join('\n'),
  };
}
