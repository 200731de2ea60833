import { expect } from 'chai';
import { findStockDrift } from '../../src/domain/audit.js';
import { TestApi, type ApiResponse, type TestUser } from '../helpers/api.js';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { book, createEvent, mixedItems } from '../helpers/fixtures.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';

/**
 * Database faults, on PostgreSQL through a TCP proxy the test controls: the shared
 * server is never stopped, the proxy in front of it is closed, reopened or has
 * every connection cut.
 */
const POSTGRES_URL = process.env.EVBOOK_TEST_DATABASE_URL;

describe('database faults [postgres]', function () {
  this.timeout(120_000);
  if (!POSTGRES_URL) {
    it('was NOT run: set EVBOOK_TEST_DATABASE_URL=postgres://... to run it');
    return;
  }

  let database: TestDatabase;
  let proxy: TcpProxy;
  let api: TestApi;

  before(async () => {
    database = await createTestDatabase('postgres');
    proxy = await TcpProxy.start(database.url);
    api = await TestApi.start(database, { EVBOOK_DATABASE_URL: proxy.urlFor(database.url) });
  });
  after(async () => {
    await proxy?.open();
    await api?.stop();
    await proxy?.close();
    await database?.destroy();
  });
  beforeEach(async () => {
    await proxy.open();
    await database.reset();
  });

  it('answers 503 problem+json and fails /readyz while the database is unreachable, and recovers without a restart', async () => {
    const organiser = await api.user('organiser');
    const customer = await api.user('customer');
    const event = await createEvent(api, organiser);
    const item = [{ ticket_type_id: event.ticket_types[0].id, quantity: 1 }];
    expect((await api.request('GET', '/readyz')).status).to.equal(200);

    // A second server that has not yet read its signing keys when the database goes.
    const cold = await TestApi.start(database, { EVBOOK_DATABASE_URL: proxy.urlFor(database.url) });
    try {
      await proxy.close();

      expectUnavailable(await api.request('GET', '/v1/events', { token: organiser.token }));
      expectUnavailable(await book(api, customer, event.id, item));
      expectUnavailable(await api.request('GET', '/v1/me', { token: customer.token }));
      expectUnavailable(await cold.request('GET', '/v1/me', { token: customer.token }));
      const ready = await api.request('GET', '/readyz');
      expect(ready.status).to.equal(503);
      expect(ready.headers.get('content-type')).to.match(/^application\/problem\+json/);
      expect(ready.body).to.include({ code: 'not_ready' });
      expect((await api.request('GET', '/healthz')).status).to.equal(200);
      expect(await database.db.knex('bookings').count({ n: '*' })).to.deep.equal([{ n: '0' }]);

      await proxy.open();

      await untilReady(api);
      expect((await book(api, customer, event.id, item)).status).to.equal(201);
      expect((await api.request('GET', '/v1/events', { token: organiser.token })).status).to.equal(
        200,
      );
      expect((await cold.request('GET', '/v1/me', { token: customer.token })).status).to.equal(200);
    } finally {
      await proxy.open();
      await cold.stop();
    }
  });

  it('answers 503 within a bound, not after minutes, while the database host is silent', async () => {
    const organiser = await api.user('organiser');
    await createEvent(api, organiser);

    proxy.blackhole();
    try {
      const answers = await Promise.race([
        Promise.all([
          api.request('GET', '/v1/events', { token: organiser.token }),
          api.request('GET', '/readyz'),
        ]),
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error('no answer within 20 s')), 20_000).unref(),
        ),
      ]);
      expectUnavailable(answers[0]);
      expect(answers[1].status).to.equal(503);
    } finally {
      await proxy.open();
    }

    await untilReady(api);
    expect((await api.request('GET', '/v1/events', { token: organiser.token })).status).to.equal(
      200,
    );
  });

  it('loses no booking, doubles none and oversells nothing when connections are cut under load', async () => {
    const organiser = await api.user('organiser');
    const customers: TestUser[] = [];
    for (let i = 0; i < 8; i++) customers.push(await api.user('customer'));
    const event = await createEvent(api, organiser, {
      ticket_types: [
        { name: 'Floor', price: 3000, quantity: 60, max_per_booking: 4 },
        { name: 'Balcony', price: 2000, quantity: 25, max_per_booking: 4 },
      ],
    });
    const [floor, balcony] = event.ticket_types;

    // 240 bookings with their own Idempotency-Key, 16 at a time; the proxy cuts every
    // connection after every 30 requests sent, and is closed for a moment once.
    const attempts = Array.from({ length: 240 }, (_, i) => ({
      key: `load-${i}`,
      customer: customers[i % customers.length]!,
      items: mixedItems(i, floor, balcony),
    }));
    const answers = new Map<string, ApiResponse>();
    let sent = 0;
    const send = async (attempt: (typeof attempts)[number]) =>
      book(api, attempt.customer, event.id, attempt.items, { 'idempotency-key': attempt.key });
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (sent < attempts.length) {
          const attempt = attempts[sent++]!;
          if (sent % 30 === 0) proxy.cut();
          if (sent === 120) {
            await proxy.close();
            setImmediate(() => void proxy.open());
          }
          answers.set(attempt.key, await send(attempt));
        }
      }),
    );

    // Every answer is an outcome or a 503 the client may retry; never a 500.
    const unavailable = [...answers.values()].filter((res) => res.status === 503);
    for (const res of answers.values()) {
      expect(res.status, JSON.stringify(res.body)).to.be.oneOf([201, 409, 503]);
      if (res.status !== 201) expect(res.headers.get('content-type')).to.match(/problem\+json/);
    }
    expect(unavailable.length, 'the cuts caused no failure at all').to.be.greaterThan(0);

    // The database is back: retrying each 503 with its key gives one final outcome.
    await proxy.open();
    await untilReady(api);
    for (const attempt of attempts) {
      for (let tries = 0; answers.get(attempt.key)!.status === 503 && tries < 5; tries++) {
        answers.set(attempt.key, await send(attempt));
      }
    }

    const confirmed = [...answers.values()].filter((res) => res.status === 201);
    for (const res of answers.values()) {
      expect(res.status, JSON.stringify(res.body)).to.be.oneOf([201, 409]);
      if (res.status === 409) expect(res.body.code).to.equal('sold_out');
    }
    const knex = database.db.knex;
    const rows = await knex('bookings').where({ event_id: event.id }).select('id', 'status');
    expect(rows.map((row) => row.id).sort()).to.deep.equal(
      confirmed.map((res) => res.body.id).sort(),
    );
    expect(rows.every((row) => row.status === 'confirmed')).to.equal(true);
    expect(await knex('idempotency_keys').count({ n: '*' })).to.deep.equal([
      { n: String(rows.length) },
    ]);

    for (const type of [floor, balcony]) {
      const sold = await knex('ticket_types').where({ id: type.id }).first('sold', 'quantity');
      const fromAnswers = confirmed
        .flatMap((res) => res.body.items)
        .filter((item: { ticket_type_id: string }) => item.ticket_type_id === type.id)
        .reduce((sum: number, item: { quantity: number }) => sum + item.quantity, 0);
      expect(Number(sold.sold)).to.equal(fromAnswers);
      expect(Number(sold.sold)).to.be.at.most(Number(sold.quantity));
    }
    expect(await findStockDrift(knex)).to.deep.equal([]);
  });
});

function expectUnavailable(res: ApiResponse): void {
  const shown = JSON.stringify(res.body);
  expect(res.status, shown).to.equal(503);
  expect(res.headers.get('content-type'), shown).to.match(/^application\/problem\+json/);
  expect(res.body.code, shown).to.equal('unavailable');
  expect(res.body.instance, shown).to.match(/^urn:evbook:request:/);
}

/** Polls `/readyz` until it answers 200; fails after 15 s. */
async function untilReady(api: TestApi): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const res = await api.request('GET', '/readyz');
    if (res.status === 200) return;
    if (Date.now() > deadline)
      throw new Error(`/readyz still ${res.status}: ${JSON.stringify(res.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
