import type { Knex } from '../../src/db/connection.js';
import { newId } from '../../src/shared/ids.js';

export interface SeededEvent {
  eventId: string;
  /** Distinct customers holding a confirmed booking. */
  holders: number;
  /** Confirmed bookings (every tenth holder has two, and one in seven has a cancelled one). */
  bookings: number;
}

const CHUNK = 500;

async function insertChunked(knex: Knex, table: string, rows: Record<string, unknown>[]) {
  for (let i = 0; i < rows.length; i += CHUNK) await knex(table).insert(rows.slice(i, i + CHUNK));
}

/**
 * A published event with `holders` ticket holders, written straight to the tables in
 * chunks (the API would take minutes for 100,000). Generated a chunk of holders at a
 * time so that seeding itself stays small in memory.
 */
export async function seedEventWithHolders(knex: Knex, holders: number): Promise<SeededEvent> {
  const now = new Date();
  const organiserId = newId();
  await knex('users').insert({
    id: organiserId,
    email: `organiser.${organiserId}@example.test`,
    name: 'Organiser',
    role: 'organiser',
    password_hash: null,
    created_at: now,
    updated_at: now,
  });
  await knex('organisers').insert({
    user_id: organiserId,
    display_name: 'Organiser',
    created_at: now,
  });
  const eventId = newId();
  await knex('events').insert({
    id: eventId,
    organiser_id: organiserId,
    title: 'Big Gig',
    description: 'Loud.',
    venue: 'Stadium',
    starts_at: new Date(now.getTime() + 30 * 86_400_000),
    ends_at: new Date(now.getTime() + 30.2 * 86_400_000),
    currency: 'EUR',
    status: 'published',
    created_at: now,
    updated_at: now,
  });

  let bookings = 0;
  for (let start = 0; start < holders; start += 5000) {
    const users: Record<string, unknown>[] = [];
    const customers: Record<string, unknown>[] = [];
    const rows: Record<string, unknown>[] = [];
    for (let i = start; i < Math.min(start + 5000, holders); i++) {
      const id = newId();
      users.push({
        id,
        email: `holder.${i}.${id.slice(-6)}@example.test`,
        name: `Holder ${i}`,
        role: 'customer',
        password_hash: null,
        created_at: now,
        updated_at: now,
      });
      customers.push({ user_id: id, display_name: `Holder ${i}`, created_at: now });
      const copies = i % 10 === 0 ? 2 : 1;
      for (let c = 0; c < copies; c++) rows.push(booking(eventId, id, 'confirmed', now));
      if (i % 7 === 0) rows.push(booking(eventId, id, 'cancelled', now));
      bookings += copies;
    }
    await insertChunked(knex, 'users', users);
    await insertChunked(knex, 'customers', customers);
    await insertChunked(knex, 'bookings', rows);
  }
  return { eventId, holders, bookings };
}

function booking(eventId: string, customerId: string, status: string, now: Date) {
  return {
    id: newId(),
    event_id: eventId,
    customer_id: customerId,
    status,
    total: 0,
    currency: 'EUR',
    created_at: now,
    cancelled_at: status === 'cancelled' ? now : null,
  };
}
