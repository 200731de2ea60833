import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importJWK, SignJWT } from 'jose';
import { ensureSigningKeys } from '../../src/auth/keys.js';
import { tokenIdentity } from '../../src/auth/tokens.js';
import { openDatabase, type Database } from '../../src/db/connection.js';
import { migrateLatest } from '../../src/db/migrate.js';
import { createEvent } from '../../src/domain/events/events.js';
import { createUser } from '../../src/domain/users/users.js';
import { BENCH_PUBLIC_URL } from './processes.js';

export type Engine = 'sqlite' | 'postgres';

/** A fresh, migrated database of one engine, seeded by the scenarios. */
export interface BenchWorld {
  engine: Engine;
  url: string;
  db: Database;
  /** A signed access token for an existing user. */
  token(userId: string, role: 'customer' | 'organiser'): Promise<string>;
  /** Customers with signed access tokens. */
  customers(count: number): Promise<string[]>;
  /** A published event with one ticket type of this capacity; returns both ids. */
  event(
    quantity: number,
    maxPerBooking?: number,
  ): Promise<{ eventId: string; ticketTypeId: string }>;
  /** Sold count and the sum of booked quantities of a ticket type, read after the load. */
  tally(ticketTypeId: string): Promise<{ sold: number; booked: number; quantity: number }>;
  destroy(): Promise<void>;
}

let counter = 0;

export async function createWorld(engine: Engine): Promise<BenchWorld> {
  let url: string;
  let cleanup: () => Promise<void>;
  if (engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'evbook-bench-'));
    url = `sqlite:${join(dir, 'bench.sqlite')}`;
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    const adminUrl = postgresUrl();
    const name = `evbook_bench_${process.pid}_${counter++}`;
    const admin = openDatabase(adminUrl, { poolMax: 1 });
    await admin.knex.raw(`create database ${name}`);
    await admin.close();
    const target = new URL(adminUrl);
    target.pathname = `/${name}`;
    url = target.toString();
    cleanup = async () => {
      const dropper = openDatabase(adminUrl, { poolMax: 1 });
      await dropper.knex.raw(`drop database if exists ${name} with (force)`);
      await dropper.close();
    };
  }
  const db = openDatabase(url);
  await migrateLatest(db);
  const [key] = await ensureSigningKeys(db.knex);
  const signingKey = await importJWK(key!.privateJwk, key!.alg);
  const identity = tokenIdentity(BENCH_PUBLIC_URL);
  const sign = (sub: string, role: string) =>
    new SignJWT({ role })
      .setProtectedHeader({ alg: key!.alg, kid: key!.kid, typ: 'at+jwt' })
      .setSubject(sub)
      .setIssuer(identity.issuer)
      .setAudience(identity.audience)
      .setIssuedAt()
      .setExpirationTime('2h')
      .sign(signingKey);
  const organiser = await createUser(db.knex, {
    email: 'organiser@bench.test',
    name: 'Bench organiser',
    role: 'organiser',
    passwordHash: null,
  });
  let customersMade = 0;

  return {
    engine,
    url,
    db,
    token: sign,
    async customers(count) {
      const tokens: string[] = [];
      for (let i = 0; i < count; i++) {
        const n = customersMade++;
        const user = await createUser(db.knex, {
          email: `c${n}@bench.test`,
          name: `Customer ${n}`,
          role: 'customer',
          passwordHash: null,
        });
        tokens.push(await sign(user.id, 'customer'));
      }
      return tokens;
    },
    async event(quantity, maxPerBooking = 10) {
      const day = 86_400_000;
      const event = await createEvent(db.knex, organiser.id, {
        title: 'Bench night',
        description: '',
        venue: 'Hall',
        starts_at: new Date(Date.now() + day),
        ends_at: new Date(Date.now() + 2 * day),
        currency: 'EUR',
        status: 'published',
        ticket_types: [
          {
            name: 'General',
            description: '',
            price: 2500,
            quantity,
            max_per_booking: maxPerBooking,
            sales_start: null,
            sales_end: null,
          },
        ],
      });
      return { eventId: event.id, ticketTypeId: event.ticket_types[0]!.id };
    },
    async tally(ticketTypeId) {
      const type = await db
        .knex('ticket_types')
        .where({ id: ticketTypeId })
        .first('sold', 'quantity');
      const booked = await db
        .knex('booking_items')
        .where({ ticket_type_id: ticketTypeId })
        .sum({ n: 'quantity' })
        .first();
      return {
        sold: Number(type.sold),
        quantity: Number(type.quantity),
        booked: Number(booked?.n ?? 0),
      };
    },
    async destroy() {
      await db.close();
      await cleanup();
    },
  };
}

/** The PostgreSQL server the benchmark may create databases on, if any. */
export function postgresUrl(): string {
  const url = process.env.EVBOOK_BENCH_DATABASE_URL ?? process.env.EVBOOK_TEST_DATABASE_URL;
  if (!url)
    throw new Error(
      'set EVBOOK_BENCH_DATABASE_URL (or EVBOOK_TEST_DATABASE_URL) to a PostgreSQL server',
    );
  return url;
}
