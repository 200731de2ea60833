import type { Database } from '../db/connection.js';
import { getBooking } from '../domain/bookings/queries.js';
import { getUser } from '../domain/users/users.js';
import { toDate } from '../db/sql.js';
import { NotFoundError } from '../shared/errors.js';
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

/** Holders fetched, composed and handed on per page. */
export const FAN_OUT_PAGE_SIZE = 1000;

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
  const {
    booking_id: bookingId,
    customer_id: customerId,
    event_id: eventId,
  } = entry.payload as Record<string, string>;
  const event = await loadEvent(deps, eventId);
  const booking = await getBooking(deps.db.knex, customerId!, bookingId!).catch(absentAsUndefined);
  const customer = await getUser(deps.db.knex, customerId!).catch(absentAsUndefined);
  if (!event || !booking || !customer) {
    deps.logger.warn(
      { outboxId: entry.id, kind: entry.kind },
      'cause no longer exists; nothing to send',
    );
    return;
  }

  const link = `${deps.publicUrl}/v1/bookings/${booking.id}`;
  const compose = entry.kind === 'booking.confirmed' ? bookingConfirmed : bookingCancelled;
  const { subject, text } = compose(customer.name, event, booking, link);
  await sink.deliver({
    dedupeKey: dedupeKeyOf(entry.id, customerId!),
    outboxId: entry.id,
    to: customer.email,
    subject,
    text,
  });
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

/** A missing row means there is nothing to say; any other error is retried. */
function absentAsUndefined(error: unknown): undefined {
  if (error instanceof NotFoundError) return undefined;
  throw error;
}
