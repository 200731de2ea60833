import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Role } from '../../src/domain/actor.js';
import { openDatabase } from '../../src/db/connection.js';
import { createUser } from '../../src/domain/users/users.js';
import { signTestToken } from '../helpers/api.js';
import { runCli } from '../helpers/cli.js';
import { DATA_TABLES, type TestDatabase } from '../helpers/databases.js';
import { eventBody, mixedItems } from '../helpers/fixtures.js';
import { clusterUnavailableReason, PostgresCluster } from '../helpers/pg-cluster.js';
import { SERVE_PUBLIC_URL, spawnServe, type ServeProcess } from '../helpers/serve-process.js';

/**
 * A real PostgreSQL restart in the middle of a booking load: a private cluster (not
 * the shared server, which other suites and the benchmark use) is restarted with
 * `pg_ctl restart -m fast`, crash-restarted with `-m immediate`, and stopped for a
 * while, under a real `evbook serve` process that is never restarted itself.
 */

/** Concurrent clients, each sending one booking at a time. */
const CLIENTS = 12;
/** Bookings per load, each with its own Idempotency-Key. */
const BOOKINGS = 180;
/** The restart begins when this many bookings have been sent. */
const RESTART_AFTER = 60;
/** Sanity bound: a request not answered by then counts as hung. */
const ANSWER_BOUND_MS = 20_000;
/** Retries of one booking after a 503 or a dropped request, as a client would. */
const MAX_TRIES = 40;

interface Answer {
  status: number;
  contentType: string | null;
  replayed: string | null;
  body: any;
  /** Set when no HTTP answer came: the connection dropped or the bound passed. */
  error?: string;
}

interface Item {
  ticket_type_id: string;
  quantity: number;
}

interface Attempt {
  key: string;
  token: string;
  items: Item[];
  answers: Answer[];
}

interface User {
  id: string;
  token: string;
}

const reason = clusterUnavailableReason();

describe('PostgreSQL restarts under booking load [postgres, private cluster]', function () {
  this.timeout(180_000);
  if (reason && process.env.CI !== 'true') {
    it(`was NOT run: ${reason}`);
    return;
  }

  let cluster: PostgresCluster | undefined;
  let databaseUrl: string;
  let serve: ServeProcess | undefined;

  before(async function () {
    this.timeout(120_000);
    // Under CI a missing binary makes start() throw here: the suite fails, never skips.
    cluster = await PostgresCluster.start();
    databaseUrl = await cluster.createDatabase('evbook');
    serve = await spawnServe(databaseUrl, 60_000, { migrate: true });
  });
  after(async () => {
    await serve?.stop();
    await cluster?.destroy();
  });
  beforeEach(async () => {
    await withDatabase(databaseUrl, (database) =>
      database.db.knex.raw(`truncate ${DATA_TABLES.join(', ')} cascade`),
    );
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed') {
      console.error(`serve stderr:\n${serve?.stderr()}\nserver log:\n${cluster?.log()}`);
    }
  });

  it('answers 503 problem+json, not 500 or a hang, while the server is stopped, and recovers without a restart of serve', async () => {
    const {
      customers: [customer],
      event,
    } = await setUp();
    const items = [{ ticket_type_id: event.ticket_types[0].id, quantity: 2 }];
    const order = { event_id: event.id, items };

    await cluster!.stop('fast');
    let during: Answer[];
    try {
      during = await Promise.all([
        request('POST', '/v1/bookings', customer!.token, order, { 'idempotency-key': 'outage' }),
        request('GET', `/v1/events/${event.id}`, customer!.token),
        request('GET', '/v1/me', customer!.token),
        request('POST', '/v1/signup', undefined, {
          email: 'new@example.test',
          password: 'long enough',
          name: 'New',
          role: 'customer',
        }),
      ]);
      const ready = await request('GET', '/readyz');
      expectUnavailable(ready, 'not_ready');
      expect((await request('GET', '/healthz')).status).to.equal(200);
    } finally {
      await cluster!.resume();
    }
    for (const answer of during) expectUnavailable(answer, 'unavailable');

    await untilReady();
    // Nothing was written during the outage: the same key now books, once.
    const first = await request('POST', '/v1/bookings', customer!.token, order, {
      'idempotency-key': 'outage',
    });
    expect(first.status, JSON.stringify(first.body)).to.equal(201);
    expect(first.replayed).to.equal('false');
    const again = await request('POST', '/v1/bookings', customer!.token, order, {
      'idempotency-key': 'outage',
    });
    expect(again.status).to.equal(201);
    expect(again.replayed).to.equal('true');
    expect(again.body.id).to.equal(first.body.id);
    expectServeAlive();
  });

  for (const mode of ['fast', 'immediate'] as const) {
    it(`loses no booking, doubles none and oversells nothing across pg_ctl restart -m ${mode} under load`, async () => {
      const { organiser, customers, event } = await setUp();
      const [floor, balcony] = event.ticket_types;
      const attempts: Attempt[] = Array.from({ length: BOOKINGS }, (_, i) => ({
        key: `${mode}-${i}`,
        token: customers[i % customers.length]!.token,
        items: mixedItems(i, floor, balcony),
        answers: [],
      }));
      const send = (attempt: Attempt) =>
        request(
          'POST',
          '/v1/bookings',
          attempt.token,
          { event_id: event.id, items: attempt.items },
          { 'idempotency-key': attempt.key },
        );

      // Load: CLIENTS workers book one at a time; each 503 or dropped request is
      // retried with the same key. The restart starts mid-load, probed meanwhile.
      let next = 0;
      let restart: Promise<Answer[]> | undefined;
      await Promise.all(
        Array.from({ length: CLIENTS }, async () => {
          while (next < attempts.length) {
            const attempt = attempts[next++]!;
            if (next === RESTART_AFTER) {
              restart = restartWhileProbing(mode, event.id, customers[0]!.token);
              restart.catch(() => {});
            }
            await bookUntilFinal(attempt, send);
          }
        }),
      );
      const probes = await restart!;

      // Answers: one final outcome per key; before it only 503 problems, never a 500,
      // a dropped connection or a hang.
      const all = attempts.flatMap((attempt) => attempt.answers);
      const shown = JSON.stringify(countStatuses(all));
      for (const attempt of attempts) {
        const final = attempt.answers.at(-1)!;
        expect(final.status, `${attempt.key}: ${show(final)}`).to.be.oneOf([201, 409]);
        if (final.status === 409) expect(final.body.code).to.equal('sold_out');
        for (const earlier of attempt.answers.slice(0, -1))
          expectUnavailable(earlier, 'unavailable');
      }
      const unavailable = all.filter((a) => a.status === 503).length;
      expect(unavailable, `the restart failed no request: ${shown}`).to.be.greaterThan(0);
      for (const probe of probes) {
        expect(probe.status, show(probe)).to.be.oneOf([200, 503]);
        if (probe.status === 503) expect(probe.contentType).to.match(/^application\/problem\+json/);
      }
      const confirmed = attempts.filter((attempt) => attempt.answers.at(-1)!.status === 201);
      const bookingIds = confirmed.map((attempt) => attempt.answers.at(-1)!.body.id as string);
      expect(new Set(bookingIds).size, 'two keys got one booking').to.equal(bookingIds.length);

      // A retry with the same key returns the original booking and books nothing.
      const before = await readState(databaseUrl, event.id);
      for (const attempt of attempts) {
        const final = attempt.answers.at(-1)!;
        const replay = await send(attempt);
        expect(replay.status, `${attempt.key}: ${show(replay)}`).to.equal(final.status);
        if (final.status === 201) {
          expect(replay.replayed).to.equal('true');
          expect(replay.body).to.deep.equal(final.body);
        }
      }
      const state = await readState(databaseUrl, event.id);
      expect(state).to.deep.equal(before);

      // The database: every confirmed booking exactly once, with the items its key
      // asked for, its outbox row and key; nothing else; stock equals bookings.
      expect(state.bookings.map((row) => row.id).sort()).to.deep.equal([...bookingIds].sort());
      expect(state.bookings.every((row) => row.status === 'confirmed')).to.equal(true);
      for (const attempt of confirmed) {
        const id = attempt.answers.at(-1)!.body.id;
        expect(state.items[id], attempt.key).to.have.deep.members(attempt.items);
      }
      expect(state.keys).to.equal(bookingIds.length);
      expect(state.outbox).to.equal(bookingIds.length);
      for (const type of [floor, balcony]) {
        const booked = confirmed
          .flatMap((attempt) => attempt.items)
          .filter((item) => item.ticket_type_id === type.id)
          .reduce((sum, item) => sum + item.quantity, 0);
        expect(state.sold[type.id], type.name).to.equal(booked);
        expect(state.sold[type.id], type.name).to.be.at.most(type.quantity);
      }
      expect(state.sold[balcony.id], 'the load sells Balcony out').to.equal(balcony.quantity);

      // evbook verify (its own process, straight on the database) finds no drift.
      const verify = await runCli(['verify', '--json'], { EVBOOK_DATABASE_URL: databaseUrl });
      expect(verify.code, verify.stderr).to.equal(0);
      expect(JSON.parse(verify.stdout)).to.deep.equal({ drift: [] });

      // The same serve process goes on reading and writing.
      expectServeAlive();
      const later = await request('POST', '/v1/events', organiser.token, eventBody());
      expect(later.status, show(later)).to.equal(201);
      const booked = await request('POST', '/v1/bookings', customers[1]!.token, {
        event_id: later.body.id,
        items: [{ ticket_type_id: later.body.ticket_types[0].id, quantity: 1 }],
      });
      expect(booked.status, show(booked)).to.equal(201);
    });
  }

  /** Restarts the cluster while polling `/readyz` and an event read; returns the probes. */
  async function restartWhileProbing(
    mode: 'fast' | 'immediate',
    eventId: string,
    token: string,
  ): Promise<Answer[]> {
    const probes: Answer[] = [];
    let restarting = true;
    const probing = (async () => {
      while (restarting) {
        probes.push(await request('GET', '/readyz'));
        probes.push(await request('GET', `/v1/events/${eventId}`, token));
        await sleep(20);
      }
    })();
    try {
      await cluster!.restart(mode);
    } finally {
      restarting = false;
      await probing;
    }
    return probes;
  }

  async function bookUntilFinal(attempt: Attempt, send: (a: Attempt) => Promise<Answer>) {
    for (let tries = 0; tries < MAX_TRIES; tries++) {
      const answer = await send(attempt);
      attempt.answers.push(answer);
      if (answer.status !== 503 && answer.status !== 0) return;
      await sleep(Math.min(1_000, 25 * 2 ** tries));
    }
  }

  /** An organiser, eight customers and an event of two ticket types the load sells out. */
  async function setUp() {
    return withDatabase(databaseUrl, async (database) => {
      const make = async (role: Role, i: number): Promise<User> => {
        const user = await createUser(database.db.knex, {
          email: `${role}.${i}@example.test`,
          name: `${role} ${i}`,
          role,
          passwordHash: null,
        });
        return { id: user.id, token: await signTestToken(database, SERVE_PUBLIC_URL, user) };
      };
      const organiser = await make('organiser', 0);
      const customers = await Promise.all(Array.from({ length: 8 }, (_, i) => make('customer', i)));
      const created = await request(
        'POST',
        '/v1/events',
        organiser.token,
        eventBody({
          ticket_types: [
            { name: 'Floor', price: 3000, quantity: 180, max_per_booking: 4 },
            { name: 'Balcony', price: 2000, quantity: 80, max_per_booking: 4 },
          ],
        }),
      );
      expect(created.status, show(created)).to.equal(201);
      return { organiser, customers, event: created.body };
    });
  }

  async function request(
    method: string,
    path: string,
    token?: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer> {
    try {
      const res = await fetch(`${serve!.url}${path}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(ANSWER_BOUND_MS),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // Keep the text for the failure message.
      }
      return {
        status: res.status,
        contentType: res.headers.get('content-type'),
        replayed: res.headers.get('idempotent-replayed'),
        body: parsed,
      };
    } catch (error) {
      return {
        status: 0,
        contentType: null,
        replayed: null,
        body: undefined,
        error: String(error),
      };
    }
  }

  async function untilReady(): Promise<void> {
    const deadline = Date.now() + 30_000;
    while ((await request('GET', '/readyz')).status !== 200) {
      if (Date.now() > deadline) throw new Error(`serve not ready again:\n${serve!.stderr()}`);
      await sleep(100);
    }
  }

  function expectServeAlive(): void {
    expect(serve!.child.exitCode, serve!.stderr()).to.equal(null);
    expect(serve!.child.signalCode, serve!.stderr()).to.equal(null);
  }
});

/** A 503 problem+json with `code`: what a client may retry. */
function expectUnavailable(answer: Answer, code: string): void {
  const shown = show(answer);
  expect(answer.status, shown).to.equal(503);
  expect(answer.contentType, shown).to.match(/^application\/problem\+json/);
  expect(answer.body.code, shown).to.equal(code);
}

function show(answer: Answer): string {
  return answer.error ?? `${answer.status} ${JSON.stringify(answer.body)}`;
}

function countStatuses(answers: Answer[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const answer of answers) counts[answer.status] = (counts[answer.status] ?? 0) + 1;
  return counts;
}

interface State {
  bookings: Array<{ id: string; status: string }>;
  items: Record<string, Item[]>;
  sold: Record<string, number>;
  keys: number;
  outbox: number;
}

/** The event's bookings, their items, stock, idempotency keys and outbox rows, read afresh. */
async function readState(url: string, eventId: string): Promise<State> {
  return withDatabase(url, async ({ db: { knex } }) => {
    const bookings = await knex('bookings').where({ event_id: eventId }).select('id', 'status');
    const items: Record<string, Item[]> = {};
    const rows = await knex('booking_items').select('booking_id', 'ticket_type_id', 'quantity');
    for (const row of rows) {
      (items[row.booking_id] ??= []).push({
        ticket_type_id: row.ticket_type_id,
        quantity: Number(row.quantity),
      });
    }
    const types = await knex('ticket_types').where({ event_id: eventId }).select('id', 'sold');
    const count = async (table: string, where: Record<string, string> = {}) =>
      Number((await knex(table).where(where).count({ n: '*' }).first())!.n);
    return {
      bookings: bookings.sort((a, b) => a.id.localeCompare(b.id)),
      items,
      sold: Object.fromEntries(types.map((type) => [type.id, Number(type.sold)])),
      keys: await count('idempotency_keys'),
      outbox: await count('outbox', { kind: 'booking.confirmed' }),
    };
  });
}

/**
 * Runs `fn` with a connection pool of its own, closed afterwards, so that no pool of
 * the test's outlives a restart of the server.
 */
async function withDatabase<T>(
  url: string,
  fn: (database: TestDatabase) => Promise<T>,
): Promise<T> {
  const db = openDatabase(url, { poolMax: 4 });
  const database: TestDatabase = {
    dialect: 'postgres',
    url,
    db,
    reset: async () => {},
    destroy: () => db.close(),
  };
  try {
    return await fn(database);
  } finally {
    await db.close();
  }
}
