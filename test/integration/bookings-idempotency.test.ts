import { expect } from 'chai';
import { TestApi } from '../helpers/api.js';
import {
  bookingScene,
  bookingState,
  errorPaths,
  expectRefused,
  type BookingScene,
} from '../helpers/bookings.js';
import { forEachEngine } from '../helpers/databases.js';
import { book } from '../helpers/fixtures.js';

forEachEngine('POST /v1/bookings with an Idempotency-Key', (database) => {
  let api: TestApi;
  let scene: BookingScene;
  before(async () => {
    api = await TestApi.start(database());
  });
  after(async () => api.stop());
  beforeEach(async () => {
    scene = await bookingScene(api);
  });

  const key = (value: string) => ({ 'Idempotency-Key': value });

  it('books once and replays the original booking for a repeat with the same body', async () => {
    const { customer, event, general, vip } = scene;
    const items = [
      { ticket_type_id: general.id, quantity: 2 },
      { ticket_type_id: vip.id, quantity: 1 },
    ];
    const first = await book(api, customer, event.id, items, key('order-1'));
    expect(first.status, JSON.stringify(first.body)).to.equal(201);
    expect(first.headers.get('idempotent-replayed')).to.equal('false');
    const afterFirst = await bookingState(database());
    expect(afterFirst).to.include({
      bookings: 1,
      booking_items: 2,
      outbox: 1,
      idempotency_keys: 1,
    });

    const repeat = await book(api, customer, event.id, items, key('order-1'));

    expect(repeat.status).to.equal(201);
    expect(repeat.headers.get('idempotent-replayed')).to.equal('true');
    expect(repeat.body).to.deep.equal(first.body);
    expect(await bookingState(database())).to.deep.equal(afterFirst);
  });

  it('replays the original booking even once the tickets have run out', async () => {
    const { customer, event, vip } = scene;
    const items = [{ ticket_type_id: vip.id, quantity: 4 }];
    const first = await book(api, customer, event.id, items, key('vip-order'));
    expect(first.status).to.equal(201);
    const other = await api.user('customer');
    await book(api, other, event.id, [{ ticket_type_id: vip.id, quantity: 4 }]);
    await book(api, other, event.id, [{ ticket_type_id: vip.id, quantity: 2 }]);
    const sold = await bookingState(database());
    expect(sold.sold[vip.id]).to.equal(10);

    const repeat = await book(api, customer, event.id, items, key('vip-order'));

    expect(repeat.status).to.equal(201);
    expect(repeat.body.id).to.equal(first.body.id);
    expect(await bookingState(database())).to.deep.equal(sold);
  });

  it('still honours a key recorded 23 hours ago', async () => {
    const { customer, event, general } = scene;
    const items = [{ ticket_type_id: general.id, quantity: 1 }];
    const first = await book(api, customer, event.id, items, key('yesterday'));
    await database()
      .db.knex('idempotency_keys')
      .where({ customer_id: customer.id, key: 'yesterday' })
      .update({ created_at: new Date(Date.now() - 23 * 60 * 60 * 1000) });
    const state = await bookingState(database());

    const repeat = await book(api, customer, event.id, items, key('yesterday'));

    expect(repeat.headers.get('idempotent-replayed')).to.equal('true');
    expect(repeat.body.id).to.equal(first.body.id);
    expect(await bookingState(database())).to.deep.equal(state);
  });

  it('rejects the same key with a different body as 422 idempotency_key_reused', async () => {
    const { customer, event, general } = scene;
    await book(api, customer, event.id, [{ ticket_type_id: general.id, quantity: 1 }], key('k'));

    await expectRefused(database(), 422, 'idempotency_key_reused', () =>
      book(api, customer, event.id, [{ ticket_type_id: general.id, quantity: 2 }], key('k')),
    );
  });

  it('treats the same key from another customer as a new request', async () => {
    const { customer, event, general } = scene;
    const other = await api.user('customer');
    const items = [{ ticket_type_id: general.id, quantity: 3 }];

    const mine = await book(api, customer, event.id, items, key('shared-key'));
    const theirs = await book(api, other, event.id, items, key('shared-key'));

    expect(mine.status).to.equal(201);
    expect(theirs.status, JSON.stringify(theirs.body)).to.equal(201);
    expect(theirs.headers.get('idempotent-replayed')).to.equal('false');
    expect(theirs.body.id).to.not.equal(mine.body.id);
    expect(theirs.body.customer_id).to.equal(other.id);
    const state = await bookingState(database());
    expect(state.sold[general.id]).to.equal(6);
    expect(state).to.include({ bookings: 2, idempotency_keys: 2 });
  });

  it('books anew under a different key with the same body', async () => {
    const { customer, event, general } = scene;
    const items = [{ ticket_type_id: general.id, quantity: 1 }];
    const first = await book(api, customer, event.id, items, key('a'));
    const second = await book(api, customer, event.id, items, key('b'));
    expect(second.status).to.equal(201);
    expect(second.body.id).to.not.equal(first.body.id);
    expect((await bookingState(database())).sold[general.id]).to.equal(2);
  });

  it('accepts a key of 255 characters', async () => {
    const { customer, event, general } = scene;
    const items = [{ ticket_type_id: general.id, quantity: 1 }];
    const first = await book(api, customer, event.id, items, key('k'.repeat(255)));
    expect(first.status, JSON.stringify(first.body)).to.equal(201);
    const repeat = await book(api, customer, event.id, items, key('k'.repeat(255)));
    expect(repeat.body.id).to.equal(first.body.id);
  });

  it('rejects a key over 255 characters with 422 validation_failed', async () => {
    const { customer, event, general } = scene;
    const res = await expectRefused(database(), 422, 'validation_failed', () =>
      book(
        api,
        customer,
        event.id,
        [{ ticket_type_id: general.id, quantity: 1 }],
        key('k'.repeat(256)),
      ),
    );
    expect(errorPaths(res)).to.deep.equal(['Idempotency-Key']);
  });

  it('remembers nothing of a refused request, so a retry under its key can book', async () => {
    const { customer, event, vip } = scene;
    const other = await api.user('customer');
    await book(api, other, event.id, [{ ticket_type_id: vip.id, quantity: 4 }]);
    await book(api, other, event.id, [{ ticket_type_id: vip.id, quantity: 4 }]);
    const items = [{ ticket_type_id: vip.id, quantity: 3 }];
    await expectRefused(database(), 409, 'sold_out', () =>
      book(api, customer, event.id, items, key('retry-me')),
    );

    const theirs = await api.request('GET', '/v1/bookings', { token: other.token });
    const cancelled = await api.request('POST', `/v1/bookings/${theirs.body.data[0].id}/cancel`, {
      token: other.token,
    });
    expect(cancelled.status).to.equal(200);
    const retry = await book(api, customer, event.id, items, key('retry-me'));

    expect(retry.status, JSON.stringify(retry.body)).to.equal(201);
    expect(retry.headers.get('idempotent-replayed')).to.equal('false');
    expect((await bookingState(database())).sold[vip.id]).to.equal(7);
  });
});
