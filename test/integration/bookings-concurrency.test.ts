import { expect } from 'chai';
import { signTestToken, TestApi, type ApiResponse, type TestUser } from '../helpers/api.js';
import { bookedOf, bookingState, outboxRows, soldOf } from '../helpers/bookings.js';
import { findStockDrift } from '../../src/domain/audit.js';
import { forEachEngine, type TestDatabase } from '../helpers/databases.js';
import { book, createEvent } from '../helpers/fixtures.js';
import { SERVE_PUBLIC_URL, spawnServe, type ServeProcess } from '../helpers/serve-process.js';

/** How many requests race for the last 50 tickets. */
const RACERS = 200;

/** Counts responses by status, for failure messages and assertions. */
function statuses(responses: ApiResponse[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const res of responses) counts[res.status] = (counts[res.status] ?? 0) + 1;
  return counts;
}

/** Asserts every response is a 201 or a 409 sold_out, and returns the 201s. */
function confirmedOrSoldOut(responses: ApiResponse[]): ApiResponse[] {
  const shown = JSON.stringify(statuses(responses));
  for (const res of responses) {
    expect(res.status, `${shown} ${JSON.stringify(res.body)}`).to.be.oneOf([201, 409]);
    if (res.status !== 409) continue;
    expect(res.body.code).to.equal('sold_out');
    // A refusal names at least one item that really lacked stock when it was made.
    const short = res.body.available.filter((a: any) => a.requested > a.available);
    expect(short, JSON.stringify(res.body)).to.have.length.greaterThan(0);
  }
  return responses.filter((res) => res.status === 201);
}

async function customers(api: TestApi, count: number): Promise<TestUser[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => api.user('customer', `racer ${i}`)));
}

/** An event whose one ticket type has exactly 50 left: capacity 60, 10 booked already. */
async function fiftyLeft(api: TestApi, database: TestDatabase) {
  const organiser = await api.user('organiser');
  const event = await createEvent(api, organiser, {
    ticket_types: [{ name: 'Last fifty', price: 1500, quantity: 60, max_per_booking: 10 }],
  });
  const type = event.ticket_types[0];
  const early = await api.user('customer', 'early bird');
  const first = await book(api, early, event.id, [{ ticket_type_id: type.id, quantity: 10 }]);
  expect(first.status).to.equal(201);
  expect(await soldOf(database, type.id)).to.equal(10);
  return { event, type };
}

forEachEngine('concurrent bookings', (database, dialect) => {
  let api: TestApi;
  before(async () => {
    api = await TestApi.start(database());
  });
  after(async () => api.stop());
  afterEach(async () => {
    // `evbook verify`'s check: every sold count equals its confirmed bookings.
    expect(await findStockDrift(database().db.knex)).to.deep.equal([]);
  });

  it(`sells exactly the last 50 tickets to ${RACERS} simultaneous requests`, async function () {
    this.timeout(120_000);
    const { event, type } = await fiftyLeft(api, database());
    const racers = await customers(api, 40);

    const responses = await Promise.all(
      Array.from({ length: RACERS }, (_, i) =>
        book(api, racers[i % racers.length]!, event.id, [{ ticket_type_id: type.id, quantity: 1 }]),
      ),
    );

    const confirmed = confirmedOrSoldOut(responses);
    expect(confirmed, JSON.stringify(statuses(responses))).to.have.length(50);
    expect(await soldOf(database(), type.id)).to.equal(60);
    expect(await bookedOf(database(), type.id)).to.equal(60);
    expect(await outboxRows(database(), 'booking.confirmed')).to.have.length(51);
    const soldOut = responses.find((res) => res.status === 409)!;
    expect(soldOut.body.available).to.deep.equal([
      { ticket_type_id: type.id, name: 'Last fifty', requested: 1, available: 0 },
    ]);
  });

  it('keeps multi-item bookings all or nothing while they race', async function () {
    this.timeout(120_000);
    const organiser = await api.user('organiser');
    const event = await createEvent(api, organiser, {
      ticket_types: [
        { name: 'Stalls', price: 2000, quantity: 40 },
        { name: 'Circle', price: 3000, quantity: 25 },
      ],
    });
    const [stalls, circle] = event.ticket_types;
    const shapes = [
      [
        { ticket_type_id: stalls.id, quantity: 2 },
        { ticket_type_id: circle.id, quantity: 1 },
      ],
      [
        { ticket_type_id: circle.id, quantity: 2 },
        { ticket_type_id: stalls.id, quantity: 1 },
      ],
      [{ ticket_type_id: stalls.id, quantity: 1 }],
      [{ ticket_type_id: circle.id, quantity: 1 }],
    ];
    const racers = await customers(api, 40);

    const requests = Array.from({ length: RACERS }, (_, i) => shapes[i % shapes.length]!);
    const responses = await Promise.all(
      requests.map((items, i) => book(api, racers[i % racers.length]!, event.id, items)),
    );

    confirmedOrSoldOut(responses);
    responses.forEach((res, i) => {
      if (res.status !== 201) return;
      const asked = requests[i]!.map(({ ticket_type_id, quantity }) => ({
        ticket_type_id,
        quantity,
      }));
      const got = res.body.items.map(({ ticket_type_id, quantity }: any) => ({
        ticket_type_id,
        quantity,
      }));
      expect(got).to.have.deep.members(asked);
    });
    for (const type of [stalls, circle]) {
      const sold = await soldOf(database(), type.id);
      expect(sold).to.be.at.most(type.quantity);
      expect(await bookedOf(database(), type.id)).to.equal(sold);
    }
    // Circle (25) runs out long before 200 requests are served.
    expect(await soldOf(database(), circle.id)).to.equal(25);
    // Stock only goes down here, so a refused single ticket means its type is gone.
    const refusedStalls = responses.some((res, i) => res.status === 409 && i % shapes.length === 2);
    if (refusedStalls) expect(await soldOf(database(), stalls.id)).to.equal(40);
    const state = await bookingState(database());
    expect(state.outbox).to.equal(state.bookings);
  });

  it('creates one booking for 50 simultaneous repeats of one Idempotency-Key', async function () {
    this.timeout(60_000);
    const organiser = await api.user('organiser');
    const customer = await api.user('customer');
    const event = await createEvent(api, organiser);
    const general = event.ticket_types[0];
    const items = [{ ticket_type_id: general.id, quantity: 3 }];

    const responses = await Promise.all(
      Array.from({ length: 50 }, () =>
        book(api, customer, event.id, items, { 'Idempotency-Key': 'one-order' }),
      ),
    );

    for (const res of responses) expect(res.status, JSON.stringify(res.body)).to.equal(201);
    const ids = new Set(responses.map((res) => res.body.id));
    expect([...ids]).to.have.length(1);
    const fresh = responses.filter((res) => res.headers.get('idempotent-replayed') === 'false');
    expect(fresh).to.have.length(1);
    const state = await bookingState(database());
    expect(state).to.include({ bookings: 1, booking_items: 1, outbox: 1, idempotency_keys: 1 });
    expect(state.sold[general.id]).to.equal(3);
  });

  it('returns stock exactly once to 20 simultaneous cancels of one booking', async function () {
    this.timeout(60_000);
    const organiser = await api.user('organiser');
    const customer = await api.user('customer');
    const event = await createEvent(api, organiser);
    const [general, vip] = event.ticket_types;
    const keep = await book(api, customer, event.id, [{ ticket_type_id: general.id, quantity: 5 }]);
    expect(keep.status).to.equal(201);
    const booking = await book(api, customer, event.id, [
      { ticket_type_id: general.id, quantity: 4 },
      { ticket_type_id: vip.id, quantity: 2 },
    ]);

    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        api.request('POST', `/v1/bookings/${booking.body.id}/cancel`, { token: customer.token }),
      ),
    );

    for (const res of responses) expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(new Set(responses.map((res) => res.body.cancelled_at)).size).to.equal(1);
    expect(await soldOf(database(), general.id)).to.equal(5);
    expect(await soldOf(database(), vip.id)).to.equal(0);
    expect(await outboxRows(database(), 'booking.cancelled')).to.have.length(1);
  });

  // Several processes on one database is the PostgreSQL deployment only.
  if (dialect === 'postgres') {
    describe('with two serve processes on one PostgreSQL database', function () {
      let servers: ServeProcess[] = [];
      before(async function () {
        this.timeout(90_000);
        servers = await Promise.all([spawnServe(database().url), spawnServe(database().url)]);
      });
      after(async () => {
        await Promise.all(servers.map((server) => server.stop()));
      });

      it(`sells exactly 50 to ${RACERS} requests split across both processes`, async function () {
        this.timeout(120_000);
        const { event, type } = await fiftyLeft(api, database());
        const racers = await customers(api, 40);
        const tokens = await Promise.all(
          racers.map((racer) => signTestToken(database(), SERVE_PUBLIC_URL, racer)),
        );

        const responses = await Promise.all(
          Array.from({ length: RACERS }, async (_, i): Promise<ApiResponse> => {
            const res = await fetch(`${servers[i % 2]!.url}/v1/bookings`, {
              method: 'POST',
              headers: {
                authorization: `Bearer ${tokens[i % tokens.length]}`,
                'content-type': 'application/json',
              },
              body: JSON.stringify({
                event_id: event.id,
                items: [{ ticket_type_id: type.id, quantity: 1 }],
              }),
            });
            return { status: res.status, headers: res.headers, body: await res.json() };
          }),
        );

        const shown = `${JSON.stringify(statuses(responses))}\n${servers.map((s) => s.stderr()).join('\n')}`;
        const confirmed = confirmedOrSoldOut(responses);
        expect(confirmed, shown).to.have.length(50);
        expect(await soldOf(database(), type.id)).to.equal(60);
        expect(await bookedOf(database(), type.id)).to.equal(60);
        for (const server of servers) {
          expect(server.child.exitCode, server.stderr()).to.equal(null);
        }
      });
    });
  }
});
