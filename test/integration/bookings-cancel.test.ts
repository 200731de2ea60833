import { expect } from 'chai';
import { TestApi, type TestUser } from '../helpers/api.js';
import {
  bookingScene,
  bookingState,
  expectRefused,
  outboxRows,
  startEventNow,
  type BookingScene,
} from '../helpers/bookings.js';
import { findStockDrift } from '../../src/domain/audit.js';
import { forEachEngine } from '../helpers/databases.js';
import { book } from '../helpers/fixtures.js';

const UNKNOWN_ID = '01890a5d-ac96-774b-bcce-b302099a8057';

forEachEngine('POST /v1/bookings/:id/cancel', (database) => {
  let api: TestApi;
  let scene: BookingScene;
  let booking: any;
  before(async () => {
    api = await TestApi.start(database());
  });
  after(async () => api.stop());
  afterEach(async () => {
    // `evbook verify`'s check: every sold count equals its confirmed bookings.
    expect(await findStockDrift(database().db.knex)).to.deep.equal([]);
  });
  beforeEach(async () => {
    scene = await bookingScene(api);
    const res = await book(api, scene.customer, scene.event.id, [
      { ticket_type_id: scene.general.id, quantity: 3 },
      { ticket_type_id: scene.vip.id, quantity: 2 },
    ]);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    booking = res.body;
  });

  const cancel = (user: TestUser | undefined, id: string = booking.id) =>
    api.request('POST', `/v1/bookings/${id}/cancel`, { token: user?.token });

  it('cancels the booking and returns its tickets to stock at once', async () => {
    const res = await cancel(scene.customer);

    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body).to.deep.include({
      id: booking.id,
      status: 'cancelled',
      total: booking.total,
      created_at: booking.created_at,
    });
    expect(res.body.cancelled_at).to.be.a('string');
    expect(new Date(res.body.cancelled_at).toISOString()).to.equal(res.body.cancelled_at);
    const state = await bookingState(database());
    expect(state.sold).to.deep.equal({ [scene.general.id]: 0, [scene.vip.id]: 0 });

    const event = await api.request('GET', `/v1/events/${scene.event.id}`, {
      token: scene.customer.token,
    });
    const available = Object.fromEntries(
      event.body.ticket_types.map((t: any) => [t.name, t.available]),
    );
    expect(available).to.deep.equal({ General: 100, VIP: 10 });
  });

  it('lets the returned tickets be booked again', async () => {
    const other = await api.user('customer');
    const full = await book(api, other, scene.event.id, [
      { ticket_type_id: scene.vip.id, quantity: 4 },
    ]);
    expect(full.status).to.equal(201);
    await book(api, other, scene.event.id, [{ ticket_type_id: scene.vip.id, quantity: 4 }]);
    const refused = await book(api, other, scene.event.id, [
      { ticket_type_id: scene.vip.id, quantity: 2 },
    ]);
    expect(refused.status).to.equal(409);

    await cancel(scene.customer);
    const again = await book(api, other, scene.event.id, [
      { ticket_type_id: scene.vip.id, quantity: 2 },
    ]);

    expect(again.status, JSON.stringify(again.body)).to.equal(201);
    expect((await bookingState(database())).sold[scene.vip.id]).to.equal(10);
  });

  it('returns a cancelled booking unchanged when it is cancelled again', async () => {
    const first = await cancel(scene.customer);
    const state = await bookingState(database());

    const second = await cancel(scene.customer);

    expect(second.status).to.equal(200);
    expect(second.body).to.deep.equal(first.body);
    expect(await bookingState(database())).to.deep.equal(state);
  });

  it('shows the cancellation in GET /v1/bookings/:id', async () => {
    const cancelled = await cancel(scene.customer);
    const res = await api.request('GET', `/v1/bookings/${booking.id}`, {
      token: scene.customer.token,
    });
    expect(res.body).to.deep.equal(cancelled.body);
  });

  it('records exactly one booking.cancelled outbox row per cancellation', async () => {
    const second = await book(api, scene.customer, scene.event.id, [
      { ticket_type_id: scene.general.id, quantity: 1 },
    ]);
    await cancel(scene.customer);
    await cancel(scene.customer);
    await cancel(scene.customer, second.body.id);

    const rows = await outboxRows(database(), 'booking.cancelled');
    expect(rows.map((row) => row.payload.booking_id)).to.have.members([booking.id, second.body.id]);
    expect(rows[0]!.payload).to.include({
      customer_id: scene.customer.id,
      event_id: scene.event.id,
    });
    expect(await outboxRows(database(), 'booking.confirmed')).to.have.length(2);
  });

  it("answers 404 for another customer's booking and changes nothing", async () => {
    const other = await api.user('customer');
    await expectRefused(database(), 404, 'not_found', () => cancel(other));
  });

  it('answers 404 for an unknown or malformed booking id', async () => {
    await expectRefused(database(), 404, 'not_found', () => cancel(scene.customer, UNKNOWN_ID));
    await expectRefused(database(), 404, 'not_found', () => cancel(scene.customer, 'nope'));
  });

  it('refuses an organiser with 403 and an anonymous request with 401', async () => {
    await expectRefused(database(), 403, 'forbidden', () => cancel(scene.organiser));
    await expectRefused(database(), 401, 'unauthorized', () => cancel(undefined));
  });

  it('refuses to cancel once the event has started (409 booking_not_cancellable)', async () => {
    await startEventNow(database(), scene.event.id);
    await expectRefused(database(), 409, 'booking_not_cancellable', () => cancel(scene.customer));
    const res = await api.request('GET', `/v1/bookings/${booking.id}`, {
      token: scene.customer.token,
    });
    expect(res.body.status).to.equal('confirmed');
  });

  it('still returns a booking cancelled before the event started unchanged', async () => {
    const first = await cancel(scene.customer);
    await startEventNow(database(), scene.event.id);

    const again = await cancel(scene.customer);

    expect(again.status).to.equal(200);
    expect(again.body).to.deep.equal(first.body);
  });
});
