import { hashPassword } from '../../auth/passwords.js';
import { openDatabase, type Knex } from '../../db/connection.js';
import { migrateLatest } from '../../db/migrate.js';
import type { Role } from '../../domain/actor.js';
import { createBooking } from '../../domain/bookings/bookings.js';
import { createEvent } from '../../domain/events/events.js';
import { EventCreate } from '../../domain/events/schemas.js';
import { findCredentialsByEmail } from '../../domain/users/credentials.js';
import { createUser } from '../../domain/users/users.js';
import { ConflictError, UsageError } from '../../shared/errors.js';
import { printResult } from '../output.js';
import { adminConfig, type AdminFlags } from './admin-config.js';

export interface SeedFlags extends AdminFlags {
  /** Demo organisers. Default 2. */
  organisers?: string;
  /** Demo customers. Default 5. */
  customers?: string;
  /** Events per organiser. Default 3. */
  events?: string;
  /** Bookings per customer. Default 2. */
  bookings?: string;
  /** Password of every demo account. Default `demo-password`. */
  password?: string;
}

const DOMAIN = 'demo.evbook.test';
const DAY = 24 * 60 * 60 * 1000;
const VENUES = ['Harbour Hall, Bristol', 'The Roundhouse, London', 'Usher Hall, Edinburgh'];

interface Counts {
  organisers: number;
  customers: number;
  events: number;
  bookings: number;
}

/**
 * `evbook seed`: demo organisers, customers, published events and bookings, for
 * development and demos. Idempotent: accounts are found by email, events by
 * organiser and title, and each booking carries a fixed Idempotency-Key, so a
 * second run adds only what is missing.
 */
export async function runSeed(flags: SeedFlags): Promise<void> {
  const size = {
    organisers: count(flags.organisers ?? '2', '--organisers'),
    customers: count(flags.customers ?? '5', '--customers'),
    events: count(flags.events ?? '3', '--events'),
    bookings: count(flags.bookings ?? '2', '--bookings'),
  };
  const password = flags.password ?? 'demo-password';
  if (password.length < 8)
    throw new UsageError('bad_flag', '--password needs at least 8 characters.');
  const config = adminConfig(flags);
  const db = openDatabase(config.databaseUrl);
  const progress = await startProgress(
    size.organisers +
      size.customers +
      size.organisers * size.events +
      size.customers * size.bookings,
  );

  try {
    await migrateLatest(db);
    // One slow hash for every demo account: these passwords protect nothing real.
    const hash = await hashPassword(password);
    const added: Counts = { organisers: 0, customers: 0, events: 0, bookings: 0 };

    // ## People
    const organisers: string[] = [];
    for (let i = 1; i <= size.organisers; i++) {
      organisers.push(await ensureUser(db.knex, 'organiser', i, hash, added));
      progress.tick();
    }
    const customers: string[] = [];
    for (let i = 1; i <= size.customers; i++) {
      customers.push(await ensureUser(db.knex, 'customer', i, hash, added));
      progress.tick();
    }

    // ## Events
    const events: Array<{ id: string; ticketTypeIds: string[] }> = [];
    for (const [o, organiserId] of organisers.entries()) {
      for (let j = 1; j <= size.events; j++) {
        events.push(await ensureEvent(db.knex, organiserId, o + 1, j, added));
        progress.tick();
      }
    }

    // ## Bookings
    for (const [c, customerId] of customers.entries()) {
      for (let k = 1; k <= size.bookings && events.length > 0; k++) {
        const key = `seed-${c + 1}-${k}`;
        // The k-th seed booking of this customer exists already (whatever event it was
        // for when the sizes were different): keep it.
        const done = await db
          .knex('idempotency_keys')
          .where({ customer_id: customerId, key })
          .first('key');
        const event = events[(c * size.bookings + k - 1) % events.length]!;
        const items = [{ ticket_type_id: event.ticketTypeIds[0]!, quantity: 1 + ((c + k) % 3) }];
        try {
          if (!done) {
            await createBooking(
              db.knex,
              customerId,
              { event_id: event.id, items },
              { idempotencyKey: key },
            );
            added.bookings++;
          }
        } catch (error) {
          if (!(error instanceof ConflictError)) throw error; // Sold out: skip this one.
        }
        progress.tick();
      }
    }

    progress.stop();
    printResult(summary(size, added, password));
  } finally {
    progress.stop();
    await db.close();
  }
}

async function ensureUser(
  knex: Knex,
  role: Role,
  n: number,
  hash: string,
  added: Counts,
): Promise<string> {
  const email = `${role}${n}@${DOMAIN}`;
  const existing = await findCredentialsByEmail(knex, email);
  if (existing) return existing.id;
  const name = `Demo ${role === 'organiser' ? 'Organiser' : 'Customer'} ${n}`;
  const user = await createUser(knex, { email, name, role, passwordHash: hash });
  added[role === 'organiser' ? 'organisers' : 'customers']++;
  return user.id;
}

async function ensureEvent(
  knex: Knex,
  organiserId: string,
  o: number,
  j: number,
  added: Counts,
): Promise<{ id: string; ticketTypeIds: string[] }> {
  const title = `Demo Concert ${o}.${j}`;
  let event = (await knex('events').where({ organiser_id: organiserId, title }).first('id')) as
    { id: string } | undefined;
  if (!event) {
    const starts = new Date(Date.now() + (7 * j + o) * DAY);
    starts.setUTCHours(19, 0, 0, 0);
    const input = EventCreate.parse({
      title,
      description: `A demo event seeded by evbook seed.`,
      venue: VENUES[(o + j) % VENUES.length],
      starts_at: starts.toISOString(),
      ends_at: new Date(starts.getTime() + 4 * 60 * 60 * 1000).toISOString(),
      currency: 'EUR',
      status: 'published',
      ticket_types: [
        { name: 'General', price: 2500, quantity: 200 },
        { name: 'VIP', price: 9000, quantity: 20, max_per_booking: 4 },
      ],
    });
    event = await createEvent(knex, organiserId, input);
    added.events++;
  }
  const types = (await knex('ticket_types')
    .where({ event_id: event.id })
    .orderBy('created_at')
    .select('id')) as Array<{ id: string }>;
  return { id: event.id, ticketTypeIds: types.map((t) => t.id) };
}

function count(value: string, flag: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 100_000) {
    throw new UsageError(
      'bad_flag',
      `${flag} must be a whole number from 0 to 100000 (got "${value}").`,
    );
  }
  return Number(value);
}

function summary(size: Counts, added: Counts, password: string): string {
  const line = (key: keyof Counts, noun: string) =>
    `  ${noun.padEnd(11)} ${size[key]} (${added[key]} new)`;
  return [
    'Seeded the demo data:',
    line('organisers', 'organisers'),
    line('customers', 'customers'),
    `  ${'events'.padEnd(11)} ${size.organisers * size.events} (${added.events} new)`,
    `  ${'bookings'.padEnd(11)} ${added.bookings} new`,
    `Accounts: organiser1@${DOMAIN}, customer1@${DOMAIN}, ... (password: ${password})`,
  ].join('\n');
}

interface Progress {
  tick(): void;
  stop(): void;
}

/** A progress bar on stderr in a terminal; nothing at all in a pipe or a log. */
async function startProgress(total: number): Promise<Progress> {
  if (!process.stderr.isTTY || total === 0) return { tick() {}, stop() {} };
  const { SingleBar, Presets } = (await import('cli-progress')).default;
  const bar = new SingleBar(
    { format: 'seeding [{bar}] {value}/{total}', stream: process.stderr, hideCursor: true },
    Presets.shades_classic,
  );
  bar.start(total, 0);
  let stopped = false;
  return {
    tick: () => bar.increment(),
    stop: () => {
      if (!stopped) bar.stop();
      stopped = true;
    },
  };
}
