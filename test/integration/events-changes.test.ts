import { expect } from 'chai';
import { TestApi, type TestUser } from '../helpers/api.js';
import { forEachEngine } from '../helpers/databases.js';
import { countRows, outboxEntries, snapshotDatabase } from '../helpers/db-state.js';
import { book, createEvent, inDays } from '../helpers/fixtures.js';

forEachEngine('PATCH and DELETE /v1/events/:id', (database) => {
  let api: TestApi;
  let owner: TestUser;
  let customer: TestUser;
  let event: any;
  before(async () => {
    api = await TestApi.start(database());
  });
  after(async () => api.stop());
  beforeEach(async () => {
    owner = await api.user('organiser');
    customer = await api.user('customer');
    event = await createEvent(api, owner);
  });

  const patch = (body: unknown, id = event.id, user = owner) =>
    api.request('PATCH', `/v1/events/${id}`, { token: user.token, body });
  const remove = (id = event.id, user = owner) =>
    api.request('DELETE', `/v1/events/${id}`, { token: user.token });
  const bookOne = async (headers: Record<string, string> = {}) => {
    const res = await book(
      api,
      customer,
      event.id,
      [{ ticket_type_id: event.ticket_types[0].id, quantity: 1 }],
      headers,
    );
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body;
  };
  const cancelBooking = (id: string) =>
    api.request('POST', `/v1/bookings/${id}/cancel`, { token: customer.token });
  const eventOutbox = async () =>
    (await outboxEntries(database())).filter((e) => e.kind.startsWith('event.'));

  describe('PATCH', () => {
    it('changes only the fields sent', async () => {
      const res = await patch({ description: 'Now with strings.' });

      expect(res.status).to.equal(200);
      expect(res.body).to.deep.include({
        ...event,
        description: 'Now with strings.',
        updated_at: res.body.updated_at,
      });
      expect(Date.parse(res.body.updated_at)).to.be.at.least(Date.parse(event.updated_at));
    });

    it('records one event.changed row with old and new values of a published event', async () => {
      const startsAt = inDays(40);
      const endsAt = inDays(40.2);
      const res = await patch({
        title: 'Jazz on the Pier',
        venue: 'Pier Hall',
        starts_at: startsAt,
        ends_at: endsAt,
        description: 'Moved.',
      });

      expect(res.status).to.equal(200);
      expect(await eventOutbox()).to.deep.equal([
        {
          kind: 'event.changed',
          payload: {
            event_id: event.id,
            changes: {
              title: { old: 'Jazz on the Quay', new: 'Jazz on the Pier' },
              venue: { old: 'Harbour Hall', new: 'Pier Hall' },
              starts_at: { old: event.starts_at, new: startsAt },
              ends_at: { old: event.ends_at, new: endsAt },
            },
          },
        },
      ]);
    });

    it('records nothing for a description-only change or a value that stays the same', async () => {
      await patch({ description: 'Different words.' });
      await patch({ title: event.title, venue: event.venue, starts_at: event.starts_at });

      expect(await eventOutbox()).to.deep.equal([]);
    });

    it('records nothing for changes to a draft', async () => {
      const draft = await createEvent(api, owner, { status: 'draft' });
      await patch({ title: 'Renamed', venue: 'Elsewhere' }, draft.id);

      expect(await eventOutbox()).to.deep.equal([]);
    });

    it('records one event.cancelled row on cancellation, and refuses any change after', async () => {
      const res = await patch({ status: 'cancelled' });

      expect(res.status).to.equal(200);
      expect(res.body.status).to.equal('cancelled');
      expect(await eventOutbox()).to.deep.equal([
        { kind: 'event.cancelled', payload: { event_id: event.id, changes: {} } },
      ]);

      for (const body of [{ description: 'x' }, { status: 'published' }, { status: 'cancelled' }]) {
        const again = await patch(body);
        expect(again.status, JSON.stringify(body)).to.equal(409);
        expect(again.body.code).to.equal('event_cancelled');
      }
      expect(await eventOutbox()).to.have.length(1);
    });

    it('records the other changes of a cancelling PATCH in its one event.cancelled row', async () => {
      await patch({ status: 'cancelled', title: 'Called off', description: 'Sorry.' });

      expect(await eventOutbox()).to.deep.equal([
        {
          kind: 'event.cancelled',
          payload: {
            event_id: event.id,
            changes: { title: { old: 'Jazz on the Quay', new: 'Called off' } },
          },
        },
      ]);
    });

    it('refuses to publish an event that has started', async () => {
      const draft = await createEvent(api, owner, { status: 'draft' });
      await database()
        .db.knex('events')
        .where({ id: draft.id })
        .update({ starts_at: new Date(Date.now() - 60_000) });

      const res = await patch({ status: 'published' }, draft.id);

      expect(res.status).to.equal(422);
      expect(res.body.errors.map((e: any) => e.path)).to.deep.equal(['status']);
    });

    it('hides a cancelled event from customers but not from its owner', async () => {
      await patch({ status: 'cancelled' });

      const asCustomer = await api.request('GET', `/v1/events/${event.id}`, {
        token: customer.token,
      });
      const asOwner = await api.request('GET', `/v1/events/${event.id}`, { token: owner.token });
      expect(asCustomer.status).to.equal(404);
      expect(asOwner.body.status).to.equal('cancelled');
    });

    it('publishes a draft and takes a published event without bookings back to draft', async () => {
      const draft = await createEvent(api, owner, { status: 'draft' });

      expect((await patch({ status: 'published' }, draft.id)).body.status).to.equal('published');
      expect((await patch({ status: 'draft' }, draft.id)).body.status).to.equal('draft');
    });

    it('refuses to take an event with confirmed bookings back to draft', async () => {
      const booking = await bookOne();
      const before = await snapshotDatabase(database());

      const refused = await patch({ status: 'draft', title: 'Renamed' });
      expect(refused.status).to.equal(409);
      expect(refused.body.code).to.equal('event_has_bookings');
      expect(await snapshotDatabase(database())).to.deep.equal(before);

      await cancelBooking(booking.id);
      expect((await patch({ status: 'draft' })).status).to.equal(200);
    });

    it('changes the currency until a booking exists, even a cancelled one', async () => {
      expect((await patch({ currency: 'GBP' })).body.currency).to.equal('GBP');

      const booking = await bookOne();
      await cancelBooking(booking.id);
      const refused = await patch({ currency: 'USD' });

      expect(refused.status).to.equal(409);
      expect(refused.body.code).to.equal('event_has_bookings');
      expect((await patch({ currency: 'GBP' })).status).to.equal(200);
    });

    it('refuses a start in the past and an end at or before the start', async () => {
      const cases = [
        [{ starts_at: inDays(-1) }, 'starts_at'],
        [{ ends_at: inDays(1) }, 'ends_at'],
        [{ starts_at: inDays(31) }, 'ends_at'],
        [{ starts_at: inDays(5), ends_at: inDays(4) }, 'ends_at'],
      ] as const;
      for (const [body, path] of cases) {
        const res = await patch(body);
        expect(res.status, JSON.stringify(body)).to.equal(422);
        expect(res.body.errors.map((e: any) => e.path)).to.deep.equal([path]);
      }
      const stored = await api.request('GET', `/v1/events/${event.id}`, { token: owner.token });
      expect(stored.body.starts_at).to.equal(event.starts_at);
      expect(await eventOutbox()).to.deep.equal([]);
    });

    it('moves both ends at once when they stay in order', async () => {
      const res = await patch({ starts_at: inDays(2), ends_at: inDays(2.1) });

      expect(res.status).to.equal(200);
    });

    it('rejects unknown and read-only fields', async () => {
      for (const body of [{ organiser_id: 'x' }, { ticket_types: [] }, { id: event.id }]) {
        const res = await patch(body);
        expect(res.status, JSON.stringify(body)).to.equal(422);
        expect(res.body.code).to.equal('validation_failed');
      }
    });

    it("answers 404 for another organiser's event and changes nothing", async () => {
      const res = await patch({ title: 'Hijacked' }, event.id, await api.user('organiser'));

      expect(res.status).to.equal(404);
      expect(res.body.code).to.equal('not_found');
      const stored = await api.request('GET', `/v1/events/${event.id}`, { token: owner.token });
      expect(stored.body.title).to.equal(event.title);
    });
  });

  describe('DELETE', () => {
    it('deletes an event with its ticket types', async () => {
      const res = await remove();

      expect(res.status).to.equal(204);
      expect(res.body).to.equal(undefined);
      const gone = await api.request('GET', `/v1/events/${event.id}`, { token: owner.token });
      expect(gone.status).to.equal(404);
      expect(await countRows(database(), 'ticket_types')).to.equal(0);
    });

    it('refuses while confirmed bookings exist', async () => {
      await bookOne();
      const res = await remove();

      expect(res.status).to.equal(409);
      expect(res.body.code).to.equal('event_has_bookings');
      expect(await countRows(database(), 'events')).to.equal(1);
      expect(await countRows(database(), 'bookings')).to.equal(1);
    });

    it('deletes when only cancelled bookings exist, with those bookings', async () => {
      const booking = await bookOne({ 'Idempotency-Key': 'delete-me-later' });
      await cancelBooking(booking.id);

      expect((await remove()).status).to.equal(204);
      expect(await countRows(database(), 'bookings')).to.equal(0);
      expect(await countRows(database(), 'booking_items')).to.equal(0);
      const mine = await api.request('GET', `/v1/bookings/${booking.id}`, {
        token: customer.token,
      });
      expect(mine.status).to.equal(404);
    });

    it("answers 404 for another organiser's event, an unknown id and a second delete", async () => {
      expect((await remove(event.id, await api.user('organiser'))).status).to.equal(404);
      expect((await remove('01890000-0000-7000-8000-000000000000')).status).to.equal(404);
      expect((await remove()).status).to.equal(204);
      expect((await remove()).status).to.equal(404);
    });
  });

  describe('GET /v1/events/:id/bookings', () => {
    const attendees = (query = '', user = owner) =>
      api.request('GET', `/v1/events/${event.id}/bookings${query}`, { token: user.token });

    it('lists the bookings of the event with who made them', async () => {
      const first = await bookOne();
      const other = await api.user('customer', 'Ada Lovelace');
      await book(api, other, event.id, [{ ticket_type_id: event.ticket_types[1].id, quantity: 2 }]);
      await cancelBooking(first.id);
      const elsewhere = await createEvent(api, owner);
      await book(api, other, elsewhere.id, [
        { ticket_type_id: elsewhere.ticket_types[0].id, quantity: 1 },
      ]);

      const res = await attendees();

      expect(res.status).to.equal(200);
      expect(res.body.next_cursor).to.equal(null);
      expect(res.body.data.map((b: any) => [b.status, b.customer])).to.deep.equal([
        ['cancelled', { id: customer.id, name: customer.name, email: customer.email }],
        ['confirmed', { id: other.id, name: 'Ada Lovelace', email: other.email }],
      ]);
      expect(res.body.data[1]).to.include({ event_id: event.id, total: 18000, currency: 'EUR' });
      expect(res.body.data[1].items).to.deep.equal([
        { ticket_type_id: event.ticket_types[1].id, name: 'VIP', quantity: 2, unit_price: 9000 },
      ]);

      const confirmed = await attendees('?status=confirmed');
      expect(confirmed.body.data.map((b: any) => b.customer.id)).to.deep.equal([other.id]);
    });

    it('pages with limit and next_cursor', async () => {
      for (let i = 0; i < 3; i++) await bookOne();

      const first = await attendees('?limit=2');
      const second = await attendees(`?limit=2&cursor=${first.body.next_cursor}`);

      expect(first.body.data).to.have.length(2);
      expect(second.body.data).to.have.length(1);
      expect(second.body.next_cursor).to.equal(null);
      expect((await attendees('?cursor=%%%')).status).to.equal(422);
      const forged = Buffer.from(JSON.stringify(['not-an-id'])).toString('base64url');
      const refused = await attendees(`?cursor=${forged}`);
      expect(refused.status).to.equal(422);
      expect(refused.body.errors).to.deep.equal([
        { path: 'cursor', message: 'is not a cursor we issued' },
      ]);
    });

    it("answers 404 for another organiser's event and 403 for customers", async () => {
      await bookOne();

      const stranger = await attendees('', await api.user('organiser'));
      const asCustomer = await attendees('', customer);

      expect(stranger.status).to.equal(404);
      expect(stranger.body.code).to.equal('not_found');
      expect(asCustomer.status).to.equal(403);
      expect(asCustomer.body.code).to.equal('forbidden');
    });
  });
});
