import { expect } from 'chai';
import { TestApi, type TestUser } from '../helpers/api.js';
import { forEachEngine } from '../helpers/databases.js';
import { countRows } from '../helpers/db-state.js';
import { createEvent, eventBody, inDays } from '../helpers/fixtures.js';

forEachEngine('POST /v1/events', (database) => {
  let api: TestApi;
  let organiser: TestUser;
  before(async () => {
    api = await TestApi.start(database());
  });
  after(async () => api.stop());
  beforeEach(async () => {
    organiser = await api.user('organiser');
  });

  const create = (body: unknown) =>
    api.request('POST', '/v1/events', { token: organiser.token, body });

  async function expectInvalid(body: unknown, path: string) {
    const res = await create(body);
    expect(res.status, JSON.stringify(res.body)).to.equal(422);
    expect(res.body.code).to.equal('validation_failed');
    expect(res.body.errors.map((e: { path: string }) => e.path)).to.include(path);
    expect(await countRows(database(), 'events')).to.equal(0);
  }

  it('creates an event with its inline ticket types', async () => {
    const body = eventBody();
    const res = await create(body);

    expect(res.status).to.equal(201);
    expect(res.body).to.include({
      organiser_id: organiser.id,
      title: 'Jazz on the Quay',
      venue: 'Harbour Hall',
      currency: 'EUR',
      status: 'published',
      starts_at: body.starts_at,
      ends_at: body.ends_at,
    });
    expect(res.body.ticket_types.map((t: any) => t.name)).to.deep.equal(['General', 'VIP']);
    expect(res.body.ticket_types[1]).to.include({
      event_id: res.body.id,
      price: 9000,
      quantity: 10,
      available: 10,
      sold: 0,
      max_per_booking: 4,
    });
    const stored = await api.request('GET', `/v1/events/${res.body.id}`, {
      token: organiser.token,
    });
    expect(stored.body).to.deep.equal(res.body);
  });

  it('applies the defaults: draft, empty description, no ticket types', async () => {
    const { description: _d, status: _s, ticket_types: _t, ...body } = eventBody();
    const res = await create(body);

    expect(res.status).to.equal(201);
    expect(res.body).to.include({ status: 'draft', description: '' });
    expect(res.body.ticket_types).to.deep.equal([]);
  });

  it('applies the ticket type defaults', async () => {
    const res = await create(
      eventBody({ ticket_types: [{ name: 'Door', price: 0, quantity: 5 }] }),
    );

    expect(res.status).to.equal(201);
    expect(res.body.ticket_types[0]).to.include({
      name: 'Door',
      description: '',
      price: 0,
      max_per_booking: 10,
      sales_start: null,
      sales_end: null,
    });
  });

  it('stores timestamps with an offset as UTC', async () => {
    const res = await create(
      eventBody({ starts_at: '2031-05-01T20:00:00+02:00', ends_at: '2031-05-01T23:30:00+02:00' }),
    );

    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body.starts_at).to.equal('2031-05-01T18:00:00.000Z');
    expect(res.body.ends_at).to.equal('2031-05-01T21:30:00.000Z');
  });

  it('rejects missing and blank fields, naming each path', async () => {
    const res = await create({ ...eventBody({ title: '   ' }), venue: undefined });

    expect(res.status).to.equal(422);
    expect(res.body.errors.map((e: { path: string }) => e.path)).to.include.members([
      'title',
      'venue',
    ]);
  });

  it('rejects a start in the past', async () => {
    await expectInvalid(eventBody({ starts_at: inDays(-1), ends_at: inDays(1) }), 'starts_at');
  });

  it('rejects an end before or at the start', async () => {
    const starts = inDays(10);
    await expectInvalid(eventBody({ starts_at: starts, ends_at: inDays(9) }), 'ends_at');
    await expectInvalid(eventBody({ starts_at: starts, ends_at: starts }), 'ends_at');
  });

  it('rejects timestamps without a time zone', async () => {
    await expectInvalid(eventBody({ starts_at: '2031-05-01T18:00:00' }), 'starts_at');
  });

  for (const currency of ['eur', 'EURO', 'XYZ', 12]) {
    it(`rejects the currency ${JSON.stringify(currency)}`, async () => {
      await expectInvalid(eventBody({ currency }), 'currency');
    });
  }

  it('rejects the status cancelled on creation', async () => {
    await expectInvalid(eventBody({ status: 'cancelled' }), 'status');
  });

  it('rejects inline ticket types with the same name', async () => {
    const ticket_types = [
      { name: 'General', price: 1, quantity: 1 },
      { name: 'General', price: 2, quantity: 2 },
    ];
    await expectInvalid(eventBody({ ticket_types }), 'ticket_types.1.name');
  });

  it('rejects bad inline ticket types by index and field', async () => {
    const bad = [
      [{ name: 'A', price: -1, quantity: 1 }, 'ticket_types.0.price'],
      [{ name: 'A', price: 10.5, quantity: 1 }, 'ticket_types.0.price'],
      [{ name: 'A', price: 1, quantity: -1 }, 'ticket_types.0.quantity'],
      [{ name: 'A', price: 1, quantity: 1, max_per_booking: 0 }, 'ticket_types.0.max_per_booking'],
      [{ name: 'A', price: 1, quantity: 1, sold: 1 }, 'ticket_types.0'],
      [
        { name: 'A', price: 1, quantity: 1, sales_start: inDays(2), sales_end: inDays(1) },
        'ticket_types.0.sales_end',
      ],
    ] as const;
    for (const [type, path] of bad) await expectInvalid(eventBody({ ticket_types: [type] }), path);
  });

  it('rejects more than 50 ticket types', async () => {
    const types = Array.from({ length: 51 }, (_, i) => ({ name: `T${i}`, price: 1, quantity: 1 }));
    await expectInvalid(eventBody({ ticket_types: types }), 'ticket_types');
  });

  it('rejects text with NUL characters or lone surrogates', async () => {
    await expectInvalid(eventBody({ title: 'Jazz\u0000Night' }), 'title');
    await expectInvalid(eventBody({ venue: 'Hall \ud800' }), 'venue');
    await expectInvalid(eventBody({ description: '\udc00' }), 'description');
    const ticket_types = [{ name: 'A\u0000', price: 1, quantity: 1 }];
    await expectInvalid(eventBody({ ticket_types }), 'ticket_types.0.name');
  });

  it('keeps any other Unicode text as sent', async () => {
    const title = 'Ünïcødé 🎷 جاز 爵士 e\u0301';
    const res = await create(eventBody({ title, venue: 'Zürich 🏟️' }));

    expect(res.status).to.equal(201);
    expect(res.body).to.include({ title, venue: 'Zürich 🏟️' });
    const stored = await api.request('GET', `/v1/events/${res.body.id}`, {
      token: organiser.token,
    });
    expect(stored.body.title).to.equal(title);
  });

  it('rejects unknown fields', async () => {
    await expectInvalid(eventBody({ organiser_id: organiser.id }), '');
  });
});

forEachEngine('GET /v1/events/:id', (database) => {
  let api: TestApi;
  before(async () => {
    api = await TestApi.start(database());
  });
  after(async () => api.stop());

  it('shows the owner a draft, with sold counts', async () => {
    const owner = await api.user('organiser');
    const event = await createEvent(api, owner, { status: 'draft' });
    const res = await api.request('GET', `/v1/events/${event.id}`, { token: owner.token });

    expect(res.status).to.equal(200);
    expect(res.body.status).to.equal('draft');
    expect(res.body.ticket_types[0]).to.have.property('sold', 0);
  });

  it('shows customers a published event without sold counts', async () => {
    const event = await createEvent(api, await api.user('organiser'));
    const customer = await api.user('customer');
    const res = await api.request('GET', `/v1/events/${event.id}`, { token: customer.token });

    expect(res.status).to.equal(200);
    expect(res.body.ticket_types).to.have.length(2);
    for (const type of res.body.ticket_types) {
      expect(type).to.not.have.property('sold');
      expect(type.available).to.equal(type.quantity);
    }
  });

  it('hides drafts from customers and events from other organisers', async () => {
    const draft = await createEvent(api, await api.user('organiser'), { status: 'draft' });
    const published = await createEvent(api, await api.user('organiser'));
    const customer = await api.user('customer');
    const stranger = await api.user('organiser');

    const asCustomer = await api.request('GET', `/v1/events/${draft.id}`, {
      token: customer.token,
    });
    const asStranger = await api.request('GET', `/v1/events/${published.id}`, {
      token: stranger.token,
    });

    expect(asCustomer.status).to.equal(404);
    expect(asCustomer.body.code).to.equal('not_found');
    expect(asStranger.status).to.equal(404);
    expect(asStranger.body.code).to.equal('not_found');
  });

  it('answers 404 for ids that do not exist or are not ids', async () => {
    const owner = await api.user('organiser');
    for (const id of ['01890000-0000-7000-8000-000000000000', 'nope', '1%20or%201=1']) {
      const res = await api.request('GET', `/v1/events/${id}`, { token: owner.token });
      expect(res.status, id).to.equal(404);
      expect(res.body.code).to.equal('not_found');
    }
  });
});
