import { expect } from 'chai';
import { TestApi } from '../helpers/api.js';
import { runCli } from '../helpers/cli.js';
import { forEachEngine } from '../helpers/databases.js';
import { book, createEvent } from '../helpers/fixtures.js';
import { sample, scrape } from '../helpers/metrics.js';

forEachEngine('operations: metrics, headers, verify', (database) => {
  let api: TestApi;
  before(async () => {
    api = await TestApi.start(database(), { EVBOOK_CORS_ORIGINS: 'https://tickets.example' });
  });
  after(async () => api.stop());

  it('counts bookings by outcome, latency by operation and the outbox backlog', async () => {
    const organiser = await api.user('organiser');
    const customer = await api.user('customer');
    const event = await createEvent(api, organiser, {
      ticket_types: [{ name: 'Only', price: 100, quantity: 1 }],
    });
    const item = [{ ticket_type_id: event.ticket_types[0].id, quantity: 1 }];
    expect((await book(api, customer, event.id, item, { 'idempotency-key': 'k' })).status).to.equal(
      201,
    );
    expect((await book(api, customer, event.id, item, { 'idempotency-key': 'k' })).status).to.equal(
      201,
    );
    expect((await book(api, customer, event.id, item)).status).to.equal(409);

    const res = await fetch(`${api.url}/metrics`);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^text\/plain/);
    const text = await res.text();
    expect(sample(text, 'evbook_bookings_total', 'result="confirmed"')).to.equal(1);
    expect(sample(text, 'evbook_bookings_total', 'result="replayed"')).to.equal(1);
    expect(sample(text, 'evbook_bookings_total', 'result="sold_out"')).to.equal(1);
    expect(
      sample(
        text,
        'evbook_http_request_duration_seconds_count',
        'method="POST",route="createBooking",status="201"',
      ),
    ).to.equal(2);
    expect(sample(text, 'evbook_outbox_pending')).to.equal(1);
    expect(sample(text, 'evbook_outbox_failed')).to.equal(0);
    expect(text).not.to.include(event.id);
  });

  it('counts a notification whose attempts ran out as failed, not as backlog', async () => {
    const organiser = await api.user('organiser');
    const customer = await api.user('customer');
    const event = await createEvent(api, organiser);
    const item = [{ ticket_type_id: event.ticket_types[0].id, quantity: 1 }];
    for (let i = 0; i < 3; i++)
      expect((await book(api, customer, event.id, item)).status).to.equal(201);
    const knex = database().db.knex;
    const [first] = await knex('outbox').orderBy('id').pluck('id');
    await knex('outbox').where({ id: first }).update({ failed_at: new Date(), attempts: 8 });

    const text = await scrape(api.url);
    expect(sample(text, 'evbook_outbox_pending')).to.equal(2);
    expect(sample(text, 'evbook_outbox_failed')).to.equal(1);
  });

  it('sends security headers on JSON and problem responses', async () => {
    for (const path of ['/healthz', '/v1/events']) {
      const res = await fetch(`${api.url}${path}`);
      expect(res.headers.get('x-content-type-options')).to.equal('nosniff');
      expect(res.headers.get('x-frame-options')).to.equal('SAMEORIGIN');
      expect(res.headers.get('content-security-policy')).to.include("default-src 'self'");
      expect(res.headers.get('x-powered-by')).to.equal(null);
    }
  });

  it('answers CORS only for the configured origins', async () => {
    const allowed = await fetch(`${api.url}/v1/events`, {
      method: 'OPTIONS',
      headers: { origin: 'https://tickets.example', 'access-control-request-method': 'POST' },
    });
    expect(allowed.headers.get('access-control-allow-origin')).to.equal('https://tickets.example');
    const other = await fetch(`${api.url}/v1/events`, {
      headers: { origin: 'https://evil.example' },
    });
    expect(other.headers.get('access-control-allow-origin')).to.equal(null);
  });

  it('evbook verify reports balanced books, and names a drifted ticket type', async function () {
    this.timeout(60_000);
    const organiser = await api.user('organiser');
    const customer = await api.user('customer');
    const event = await createEvent(api, organiser);
    const type = event.ticket_types[0];
    await book(api, customer, event.id, [{ ticket_type_id: type.id, quantity: 3 }]);
    const env = { EVBOOK_DATABASE_URL: database().url };

    const clean = await runCli(['verify'], env);
    expect(clean.code, clean.stderr).to.equal(0);
    expect(clean.stdout).to.match(/^ok/);

    await database().db.knex('ticket_types').where({ id: type.id }).update({ sold: 5 });
    const drifted = await runCli(['verify', '--json'], env);
    expect(drifted.code).to.equal(67);
    expect(JSON.parse(drifted.stdout).drift).to.deep.equal([
      {
        ticket_type_id: type.id,
        event_id: event.id,
        name: type.name,
        quantity: type.quantity,
        sold: 5,
        booked: 3,
      },
    ]);
  });
});

describe('CORS configuration', () => {
  it('is off by default', async () => {
    const { loadConfig } = await import('../../src/shared/config.js');
    expect(loadConfig({}).corsOrigins).to.deep.equal([]);
    expect(
      loadConfig({ EVBOOK_CORS_ORIGINS: 'https://a.example/, http://b.example:8080' }).corsOrigins,
    ).to.deep.equal(['https://a.example', 'http://b.example:8080']);
  });
});
