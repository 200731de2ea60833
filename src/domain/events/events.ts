import { groupBy } from '../../shared/collections.js';
import type { Knex } from '../../db/connection.js';
import { isForeignKeyViolation, isUniqueViolation, toDate, whereContains } from '../../db/sql.js';
import { newId, isId } from '../../shared/ids.js';
import type { Actor } from '../actor.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import {
  accountGone,
  eventCancelled,
  eventHasBookings,
  eventNotFound,
  invalidField,
  ticketTypeNameTaken,
} from '../errors.js';
import { recordOutbox } from '../outbox.js';
import type { Page } from '../schemas.js';
import { toEventView, TICKET_TYPE_ORDER, type EventRow, type TicketTypeRow } from './rows.js';
import type { EventCreate, EventListQuery, EventPatch, EventView } from './schemas.js';
import { checkSalesWindow, ticketTypeRow } from './ticket-type-rules.js';

/** Fields whose change a ticket holder must hear about (API.md, Notifications). */
const NOTIFIED_FIELDS = ['title', 'venue', 'starts_at', 'ends_at'] as const;

/** Creates an event, with its inline ticket types, for an organiser. */
export async function createEvent(
  knex: Knex,
  organiserId: string,
  input: EventCreate,
  now = new Date(),
): Promise<EventView> {
  checkSchedule(input.starts_at, input.ends_at, now);
  const names = new Set<string>();
  input.ticket_types.forEach((type, i) => {
    checkSalesWindow(type.sales_start, type.sales_end, `ticket_types.${i}`);
    if (names.has(type.name)) invalidFieldThrow(`ticket_types.${i}.name`, 'repeats another name');
    names.add(type.name);
  });

  const event: EventRow = {
    id: newId(),
    organiser_id: organiserId,
    title: input.title,
    description: input.description,
    venue: input.venue,
    starts_at: input.starts_at,
    ends_at: input.ends_at,
    currency: input.currency,
    status: input.status,
    created_at: now,
    updated_at: now,
  };
  const types = input.ticket_types.map((type, i) =>
    ticketTypeRow(event.id, type, new Date(now.getTime() + i)),
  );

  await knex
    .transaction(async (trx) => {
      await trx('events').insert(event);
      if (types.length > 0) await trx('ticket_types').insert(types);
    })
    .catch((error: unknown) => {
      if (isForeignKeyViolation(error)) throw accountGone(error);
      throw error;
    });
  return toEventView(event, types, { includeSold: true });
}

/** One event: its owner sees it in any status, customers only once published. */
export async function getEvent(knex: Knex, actor: Actor, id: string): Promise<EventView> {
  const event = await findVisibleEvent(knex, actor, id);
  const types = await knex<TicketTypeRow>('ticket_types')
    .where({ event_id: id })
    .orderBy([...TICKET_TYPE_ORDER]);
  return toEventView(event, types, { includeSold: actor.role === 'organiser' });
}

/**
 * Organisers list their own events in any status; customers browse the catalogue of
 * published events that have not started. Ordered by start, then id; keyset pages.
 */
export async function listEvents(
  knex: Knex,
  actor: Actor,
  query: EventListQuery,
  now = new Date(),
): Promise<Page<EventView>> {
  const rows = knex<EventRow>('events').select('*');
  if (actor.role === 'organiser') {
    rows.where({ organiser_id: actor.userId });
    if (query.status) rows.where({ status: query.status });
  } else {
    rows.where({ status: 'published' }).where('starts_at', '>', now);
  }
  if (query.q) {
    const q = query.q;
    rows.where((w) => {
      whereContains(w, 'title', q);
      w.orWhere((o) => whereContains(o, 'description', q));
    });
  }
  if (query.venue) whereContains(rows, 'venue', query.venue);
  if (query.from) rows.where('starts_at', '>=', query.from);
  if (query.to) rows.where('starts_at', '<', query.to);
  if (query.cursor) {
    const [startsAt, id] = decodeCursor(query.cursor, ['time', 'id']);
    rows.whereRaw('(starts_at > ? or (starts_at = ? and id > ?))', [
      new Date(startsAt as number),
      new Date(startsAt as number),
      id as string,
    ]);
  }
  const found: EventRow[] = await rows
    .orderBy([
      { column: 'starts_at', order: 'asc' },
      { column: 'id', order: 'asc' },
    ])
    .limit(query.limit + 1);

  const page = found.slice(0, query.limit);
  const last = page.at(-1);
  const types = page.length
    ? await knex<TicketTypeRow>('ticket_types')
        .whereIn(
          'event_id',
          page.map((e) => e.id),
        )
        .orderBy([...TICKET_TYPE_ORDER])
    : [];
  const byEvent = groupBy(types, (t) => t.event_id);
  const includeSold = actor.role === 'organiser';
  return {
    data: page.map((e) => toEventView(e, byEvent.get(e.id) ?? [], { includeSold })),
    next_cursor:
      found.length > query.limit && last
        ? encodeCursor([toDate(last.starts_at).getTime(), last.id])
        : null,
  };
}

/**
 * Applies a partial update. Changes a ticket holder relies on, and cancellation,
 * record one outbox row in the same transaction; the notifier fans it out.
 */
export async function updateEvent(
  knex: Knex,
  organiserId: string,
  id: string,
  patch: EventPatch,
  now = new Date(),
): Promise<EventView> {
  await knex.transaction(async (trx) => {
    const current = await lockOwnEvent(trx, organiserId, id, now);
    if (current.status === 'cancelled') throw eventCancelled();

    const startsAt = patch.starts_at ?? toDate(current.starts_at);
    const endsAt = patch.ends_at ?? toDate(current.ends_at);
    if (patch.starts_at || patch.ends_at) {
      if (endsAt <= startsAt) invalidFieldThrow('ends_at', 'must be after starts_at');
      if (patch.starts_at && startsAt <= now)
        invalidFieldThrow('starts_at', 'must be in the future');
    }

    const status = patch.status ?? current.status;
    if (status !== current.status) await checkStatusChange(trx, current, status, startsAt, now);
    if (patch.currency && patch.currency !== current.currency && (await hasAnyBooking(trx, id))) {
      throw eventHasBookings('The currency cannot change once tickets have been booked.');
    }

    const changes: Record<string, { old: string; new: string }> = {};
    for (const field of NOTIFIED_FIELDS) {
      const before = field.endsWith('_at') ? toDate(current[field]).toISOString() : current[field];
      const next = patch[field];
      const after = next instanceof Date ? next.toISOString() : next;
      if (after !== undefined && after !== before)
        changes[field] = { old: String(before), new: after };
    }

    await trx('events')
      .where({ id })
      .update({ ...patch, starts_at: startsAt, ends_at: endsAt, status, updated_at: now });

    // Only a published event can have holders; a draft's changes concern nobody yet.
    if (current.status !== 'published') return;
    if (status === 'cancelled') {
      await recordOutbox(trx, 'event.cancelled', { event_id: id, changes }, now);
    } else if (Object.keys(changes).length > 0) {
      await recordOutbox(trx, 'event.changed', { event_id: id, changes }, now);
    }
  });
  return getEvent(knex, { userId: organiserId, role: 'organiser' }, id);
}

/**
 * Deletes an event with its ticket types and any cancelled bookings. Refused while
 * confirmed bookings exist: cancel the event instead, so holders are told.
 */
export async function deleteEvent(
  knex: Knex,
  organiserId: string,
  id: string,
  now = new Date(),
): Promise<void> {
  await knex.transaction(async (trx) => {
    await lockOwnEvent(trx, organiserId, id, now);
    const confirmed = await trx('bookings')
      .where({ event_id: id, status: 'confirmed' })
      .first('id');
    if (confirmed) {
      throw eventHasBookings(
        'The event has confirmed bookings; cancel it (status: cancelled) so holders are told.',
      );
    }
    const bookingIds = trx('bookings').select('id').where({ event_id: id });
    await trx('booking_items').whereIn('booking_id', bookingIds).delete();
    await trx('bookings').where({ event_id: id }).delete();
    await trx('ticket_types').where({ event_id: id }).delete();
    await trx('events').where({ id }).delete();
  });
}

/**
 * Takes the write lock on an organiser's own event before anything is read: the row
 * lock on PostgreSQL, the database write lock on SQLite (write-first keeps
 * `busy_timeout` in force across processes). Another organiser's event is a 404.
 */
export async function lockOwnEvent(
  trx: Knex.Transaction,
  organiserId: string,
  id: string,
  now: Date,
): Promise<EventRow> {
  if (!isId(id)) throw eventNotFound();
  const touched = await trx('events')
    .where({ id, organiser_id: organiserId })
    .update({ updated_at: now });
  if (touched === 0) throw eventNotFound();
  const row = await trx<EventRow>('events').where({ id }).first();
  if (!row) throw eventNotFound();
  return row;
}

async function findVisibleEvent(knex: Knex, actor: Actor, id: string): Promise<EventRow> {
  if (!isId(id)) throw eventNotFound();
  const row = await knex<EventRow>('events').where({ id }).first();
  const visible =
    row !== undefined &&
    (actor.role === 'organiser' ? row.organiser_id === actor.userId : row.status === 'published');
  if (!visible) throw eventNotFound();
  return row;
}

async function checkStatusChange(
  trx: Knex.Transaction,
  current: EventRow,
  next: EventView['status'],
  startsAt: Date,
  now: Date,
): Promise<void> {
  if (next === 'published' && startsAt <= now) {
    invalidFieldThrow('status', 'cannot be published: the event has already started');
  }
  if (next === 'draft' && (await hasConfirmedBookings(trx, current.id))) {
    throw eventHasBookings('The event has confirmed bookings; it cannot go back to draft.');
  }
}

async function hasConfirmedBookings(trx: Knex.Transaction, eventId: string): Promise<boolean> {
  return (
    (await trx('bookings').where({ event_id: eventId, status: 'confirmed' }).first('id')) !==
    undefined
  );
}

async function hasAnyBooking(trx: Knex.Transaction, eventId: string): Promise<boolean> {
  return (await trx('bookings').where({ event_id: eventId }).first('id')) !== undefined;
}

function checkSchedule(startsAt: Date, endsAt: Date, now: Date): void {
  if (startsAt <= now) invalidFieldThrow('starts_at', 'must be in the future');
  if (endsAt <= startsAt) invalidFieldThrow('ends_at', 'must be after starts_at');
}

function invalidFieldThrow(path: string, message: string): never {
  throw invalidField(path, message);
}

/** Maps a duplicate ticket type name, caught from the unique index, to its 409. */
export function rethrowNameTaken(error: unknown, name: string | undefined): never {
  if (name !== undefined && isUniqueViolation(error)) throw ticketTypeNameTaken(name);
  throw error;
}
