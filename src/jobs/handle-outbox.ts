import type { Database } from '../db/connection.js';
import { toBookingViews, type BookingRow } from '../domain/bookings/rows.js';
import { toDate } from '../db/sql.js';
import { isId } from '../shared/ids.js';
import type { Logger } from '../shared/logger.js';
import { holderPages } from './holders.js';
import {
  bookingCancelled,
  bookingConfirmed,
  eventCancelled,
  eventChanged,
  type EventChanges,
  type EventSummary,
} from './messages.js';
import { dedupeKeyOf, type Email } from './names.js';
import type { OutboxEntry } from './outbox-store.js';

/**
 * Holders fetched, composed and handed on per page. 500 rather than 1,000: a page's
 * emails live until the page is sent, long enough for V8 to promote them, and the
 * larger page took the peak RSS of an embedded fan-out to 100,000 holders from about
 * 150 MB to 215 MB at the same speed.
 */
export const FAN_OUT_PAGE_SIZE = 500;

export interface HandlerDeps {
  db: Database;
  logger: Logger;
  /** Base of links in emails. */
  publicUrl: string;
}

/** Where a handler's emails go: sent now (embedded) or enqueued as jobs (Redis). */
export interface EmailSink {
  /** One email of a single-recipient cause. */
  deliver(email: Email): Promise<void>;
  /** One page of a fan-out; called once per page, in customer order. */
  fanOut(emails: Email[]): Promise<void>;
}

/**
 * Turns one outbox row into its emails. A cause whose event or booking no longer
 * exists sends nothing (an event is deleted only once nobody holds a booking).
 */
export async function handleOutbox(
  deps: HandlerDeps,
  entry: OutboxEntry,
  sink: EmailSink,
): Promise<void> {
  switch (entry.kind) {
    case 'booking.confirmed':
    case 'booking.cancelled':
      return handleBooking(deps, entry, sink);
    case 'event.changed':
    case 'event.cancelled':
      return handleEvent(deps, entry, sink);
  }
}

async function loadEvent(deps: HandlerDeps, id: unknown): Promise<EventSummary | undefined> {
  if (typeof id !== 'string') return undefined;
  const row = await deps.db
    .knex('events')
    .where({ id })
    .first('id', 'title', 'venue', 'starts_at', 'ends_at');
  if (!row) return undefined;
  return {
    id: row.id,
    title: row.title,
    venue: row.venue,
    startsAt: toDate(row.starts_at).toISOString(),
    endsAt: toDate(row.ends_at).toISOString(),
  };
}

async function handleBooking(
  deps: HandlerDeps,
  entry: OutboxEntry,
  sink: EmailSink,
): Promise<void> {
  const email = (await composeBookingEmails(deps, [entry])).get(entry.id);
  if (email) await sink.deliver(email);
}

/** True for the causes that send one email to one customer (a booking's own). */
export function isSingleRecipient(entry: OutboxEntry): boolean {
  return entry.kind === 'booking.confirmed' || entry.kind === 'booking.cancelled';
}

interface BookingMailRow extends BookingRow {
  title: string;
  venue: string;
  event_starts_at: unknown;
  event_ends_at: unknown;
  customer_name: string;
  customer_email: string;
}

/**
 * The emails of many booking causes at once: two queries for the lot (bookings with
 * their event and customer, then their items), not four per booking. An entry whose
 * booking, event or customer no longer exists maps to undefined: nothing to send.
 */
export async function composeBookingEmails(
  deps: HandlerDeps,
  entries: OutboxEntry[],
): Promise<Map<string, Email | undefined>> {
  const wanted = entries.map((entry) => ({
    entry,
    bookingId: entry.payload.booking_id,
    customerId: entry.payload.customer_id,
  }));
  const ids = wanted
    .map((w) => w.bookingId)
    .filter((id): id is string => typeof id === 'string' && isId(id));
  const rows: BookingMailRow[] =
    ids.length === 0
      ? []
      : await deps.db
          .knex('bookings as b')
          .join('events as e', 'e.id', 'b.event_id')
          .join('users as u', 'u.id', 'b.customer_id')
          .whereIn('b.id', ids)
          .select(
            'b.*',
            'e.title',
            'e.venue',
            'e.starts_at as event_starts_at',
            'e.ends_at as event_ends_at',
            'u.name as customer_name',
            'u.email as customer_email',
          );
  const views = new Map((await toBookingViews(deps.db.knex, rows)).map((v) => [v.id, v]));
  const byId = new Map(rows.map((row) => [row.id, row]));

  const emails = new Map<string, Email | undefined>();
  for (const { entry, bookingId, customerId } of wanted) {
    const row = typeof bookingId === 'string' ? byId.get(bookingId) : undefined;
    if (!row || row.customer_id !== customerId) {
      deps.logger.warn(
        { outboxId: entry.id, kind: entry.kind },
        'cause no longer exists; nothing to send',
      );
      emails.set(entry.id, undefined);
      continue;
    }
    const event: EventSummary = {
      id: row.event_id,
      title: row.title,
      venue: row.venue,
      startsAt: toDate(row.event_starts_at).toISOString(),
      endsAt: toDate(row.event_ends_at).toISOString(),
    };
    const link = `${deps.publicUrl}/v1/bookings/${row.id}`;
    const compose = entry.kind === 'booking.confirmed' ? bookingConfirmed : bookingCancelled;
    const { subject, text } = compose(row.customer_name, event, views.get(row.id)!, link);
    emails.set(entry.id, {
      dedupeKey: dedupeKeyOf(entry.id, row.customer_id),
      outboxId: entry.id,
      to: row.customer_email,
      subject,
      text,
    });
  }
  return emails;
}

async function handleEvent(deps: HandlerDeps, entry: OutboxEntry, sink: EmailSink): Promise<void> {
  const event = await loadEvent(deps, entry.payload.event_id);
  if (!event) {
    deps.logger.warn(
      { outboxId: entry.id, kind: entry.kind },
      'event no longer exists; nothing to send',
    );
    return;
  }
  const changes = (entry.payload.changes ?? {}) as EventChanges;
  const compose = entry.kind === 'event.cancelled' ? eventCancelled : eventChanged;

  for await (const page of holderPages(deps.db, event.id, FAN_OUT_PAGE_SIZE)) {
    const emails = page.map((holder): Email => {
      const { subject, text } = compose(holder.name, event, changes, holder.bookingIds);
      return {
        dedupeKey: dedupeKeyOf(entry.id, holder.customerId),
        outboxId: entry.id,
        to: holder.email,
        subject,
        text,
      };
    });
    await sink.fanOut(emails);
  }
}
