import { expect } from 'chai';
import { findStockDrift } from '../../src/domain/audit.js';
import { TestApi, type ApiResponse } from '../helpers/api.js';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { book, createEvent } from '../helpers/fixtures.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { waitFor } from '../helpers/wait.js';

/**
 * A PostgreSQL that accepts TCP but never answers, through a proxy that holds the
 * connections and swallows every byte (and every close): no error ever comes back, so
 * only evbook's own timeouts (`EVBOOK_DB_TIMEOUT_MS`, 1 s here) end the wait.
 */
const POSTGRES_URL = process.env.EVBOOK_TEST_DATABASE_URL;

/** The configured timeout, and the bound within which every answer must come. */
const TIMEOUT_MS = 1000;
/** Well under the 5 s default, so only the configured value can meet it. */
const BOUND_MS = 4500;

describe('a silent database [postgres]', function () {
  this.timeout(60_000);
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
    api = await TestApi.start(database, {
      EVBOOK_DATABASE_URL: proxy.urlFor(database.url),
      EVBOOK_DB_TIMEOUT_MS: String(TIMEOUT_MS),
    });
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

  const knex = () => database.db.knex;

  async function world() {
    const organiser = await api.user('organiser');
    const customer = await api.user('customer');
    const event = await createEvent(api, organiser);
    const item = [{ ticket_type_id: event.ticket_types[0].id, quantity: 1 }];
    return { organiser, customer, event, item };
  }

  it('answers 503 with Retry-After within the configured time, /readyz too, and recovers without a restart', async () => {
    const { organiser, customer, event, item } = await world();
    const first = await book(api, customer, event.id, item);
    expect(first.status).to.equal(201);

    proxy.swallow();
    const key = { 'idempotency-key': 'silent-1' };
    const [events, booking, cancel, ready] = await within(BOUND_MS, [
      api.request('GET', '/v1/events', { token: organiser.token }),
      book(api, customer, event.id, item, key),
      api.request('POST', `/v1/bookings/${first.body.id}/cancel`, { token: customer.token }),
      api.request('GET', '/readyz'),
    ]);
    for (const res of [events, booking, cancel]) expectUnavailable(res, 'unavailable');
    expectUnavailable(ready, 'not_ready');

    await proxy.open();
    await untilReady(api);
    expect((await book(api, customer, event.id, item, key)).status).to.equal(201);
    expect((await api.request('GET', '/v1/events', { token: organiser.token })).status).to.equal(
      200,
    );
    const cancelled = await api.request('POST', `/v1/bookings/${first.body.id}/cancel`, {
      token: customer.token,
    });
    expect(cancelled.status).to.equal(200);
    expect(await knex()('bookings').count({ n: '*' })).to.deep.equal([{ n: '2' }]);
    expect(await findStockDrift(knex())).to.deep.equal([]);
  });

  it('rolls back a cancellation whose connection goes silent mid-transaction; the server ends the abandoned transaction', async () => {
    const { customer, event, item } = await world();
    const booked = await book(api, customer, event.id, item);
    expect(booked.status).to.equal(201);
    const typeId = event.ticket_types[0].id;

    // The booking's status change and the stock return reach the server; the answer to
    // the second never comes back, and neither does anything the client sends after.
    proxy.swallow({ after: /update ticket_types/ });
    const [cancel] = await within(BOUND_MS, [
      api.request('POST', `/v1/bookings/${booked.body.id}/cancel`, { token: customer.token }),
    ]);
    expectUnavailable(cancel, 'unavailable');

    // The proxy never tells the server that the client left: the server itself ends the
    // transaction it was left idle in (idle_in_transaction_session_timeout).
    await waitFor('the server to end the abandoned transaction', async () => {
      const open = await knex().raw(
        `select count(*)::int as n from pg_stat_activity
          where datname = current_database() and state like 'idle in transaction%'`,
      );
      return open.rows[0].n === 0;
    });
    const row = await knex()('bookings').where({ id: booked.body.id }).first('status');
    expect(row.status).to.equal('confirmed');
    const stock = await knex()('ticket_types').where({ id: typeId }).first('sold');
    expect(Number(stock.sold)).to.equal(1);
    expect(await knex()('outbox').pluck('kind')).to.deep.equal(['booking.confirmed']);

    // Nothing is left locked: the same cancellation goes through once the database answers.
    await proxy.open();
    await untilReady(api);
    const retried = await api.request('POST', `/v1/bookings/${booked.body.id}/cancel`, {
      token: customer.token,
    });
    expect(retried.status, JSON.stringify(retried.body)).to.equal(200);
    expect(retried.body.status).to.equal('cancelled');
    const after = await knex()('ticket_types').where({ id: typeId }).first('sold');
    expect(Number(after.sold)).to.equal(0);
    expect(await findStockDrift(knex())).to.deep.equal([]);
  });

  it('never hands out a connection that timed out again, and keeps a booking whose answer was lost', async () => {
    const { organiser, customer, event, item } = await world();
    const key = { 'idempotency-key': 'silent-answer' };

    // The booking statement reaches the server and commits; its answer never arrives.
    proxy.swallow({ after: /insert into bookings/i });
    const [lost] = await within(BOUND_MS, [book(api, customer, event.id, item, key)]);
    expectUnavailable(lost, 'unavailable');

    // Only that connection went silent: had it gone back to the pool, one of these
    // requests would queue behind its unanswered query and time out too.
    for (let i = 0; i < 8; i++) {
      const [res] = await within(BOUND_MS, [
        api.request('GET', '/v1/events', { token: organiser.token }),
      ]);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
    }

    await proxy.open();
    await untilReady(api);
    const retried = await book(api, customer, event.id, item, key);
    expect(retried.status, JSON.stringify(retried.body)).to.equal(201);
    expect(retried.headers.get('idempotent-replayed')).to.equal('true');
    expect(await knex()('bookings').count({ n: '*' })).to.deep.equal([{ n: '1' }]);
    expect(await findStockDrift(knex())).to.deep.equal([]);
  });
});

/**
 * Waits for every answer, failing if any takes longer than `ms` (a hang, not a speed
 * test). Typed per position, so destructured answers are never `undefined`.
 */
async function within<T extends readonly Promise<ApiResponse>[]>(
  ms: number,
  requests: [...T],
): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([Promise.all(requests), hung]);
  } finally {
    clearTimeout(timer);
  }
}

function expectUnavailable(res: ApiResponse, code: string): void {
  const shown = JSON.stringify(res.body);
  expect(res.status, shown).to.equal(503);
  expect(res.headers.get('content-type'), shown).to.match(/^application\/problem\+json/);
  expect(res.body.code, shown).to.equal(code);
  expect(res.headers.get('retry-after'), shown).to.equal('5');
}

/** Polls `/readyz` until it answers 200. */
async function untilReady(api: TestApi): Promise<void> {
  await waitFor('/readyz to answer 200', async () => {
    return (await api.request('GET', '/readyz')).status === 200;
  });
}
