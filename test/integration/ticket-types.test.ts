import { expect } from 'chai';
import { TestApi, type TestUser } from '../helpers/api.js';
import { forEachEngine } from '../helpers/databases.js';
import { countRows } from '../helpers/db-state.js';
import { book, createEvent, inDays } from '../helpers/fixtures.js';

const UNKNOWN_ID = '01890000-0000-7000-8000-000000000000';

forEachEngine('ticket types of an event', (database) => {
  let api: TestApi;
  let owner: TestUser;
  let customer: TestUser;
  let event: any;
  let general: any;
  before(async () => {
    api = await TestApi.start(database());
  });
  after(async () => api.stop());
  beforeEach(async () => {
    owner = await api.user('organiser');
    customer = await api.user('customer');
    event = await createEvent(api, owner);
    general = event.ticket_types[0];
  });

  const add = (body: unknown, eventId = event.id, user = owner) =>
    api.request('POST', `/v1/events/${eventId}/ticket-types`, { token: user.token, body });
  const patch = (body: unknown, id = general.id, eventId = event.id, user = owner) =>
    api.request('PATCH', `/v1/events/${eventId}/ticket-types/${id}`, { token: user.token, body });
  const remove = (id = general.id, eventId = event.id, user = owner) =>
    api.request('DELETE', `/v1/events/${eventId}/ticket-types/${id}`, { token: user.token });
  const buy = async (quantity: number, typeId = general.id) => {
    const res = await book(api, customer, event.id, [{ ticket_type_id: typeId, quantity }]);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body;
  };
  const stored = async () =>
    (await api.request('GET', `/v1/events/${event.id}`, { token: owner.token })).body;

  describe('POST /v1/events/:id/ticket-types', () => {
    it('adds a ticket type with its defaults', async () => {
      const res = await add({ name: 'Student', price: 1500, quantity: 40 });

      expect(res.status).to.equal(201);
      expect(res.body).to.include({
        event_id: event.id,
        name: 'Student',
        description: '',
        price: 1500,
        quantity: 40,
        available: 40,
        sold: 0,
        max_per_booking: 10,
        sales_start: null,
        sales_end: null,
      });
      expect((await stored()).ticket_types.map((t: any) => t.name)).to.deep.equal([
        'General',
        'VIP',
        'Student',
      ]);
    });

    it('keeps a sales window', async () => {
      const window = { sales_start: inDays(1), sales_end: inDays(2) };
      const res = await add({ name: 'Early', price: 1, quantity: 1, ...window });

      expect(res.status).to.equal(201);
      expect(res.body).to.include(window);
    });

    it('refuses a name the event already has, after trimming', async () => {
      for (const name of ['General', '  General ']) {
        const res = await add({ name, price: 1, quantity: 1 });
        expect(res.status, name).to.equal(409);
        expect(res.body.code).to.equal('ticket_type_name_taken');
      }
      expect(await countRows(database(), 'ticket_types')).to.equal(2);
    });

    it('allows a name another event uses', async () => {
      const other = await createEvent(api, owner, { ticket_types: [] });

      expect((await add({ name: 'General', price: 1, quantity: 1 }, other.id)).status).to.equal(
        201,
      );
    });

    it('rejects invalid fields with their paths', async () => {
      const cases = [
        [{ price: 1, quantity: 1 }, 'name'],
        [{ name: 'A', price: -1, quantity: 1 }, 'price'],
        [{ name: 'A', price: 1, quantity: 10_000_001 }, 'quantity'],
        [{ name: 'A', price: 1, quantity: 1, max_per_booking: 1001 }, 'max_per_booking'],
        [
          { name: 'A', price: 1, quantity: 1, sales_start: inDays(2), sales_end: inDays(1) },
          'sales_end',
        ],
        [{ name: 'A', price: 1, quantity: 1, sold: 0 }, ''],
      ] as const;
      for (const [body, path] of cases) {
        const res = await add(body);
        expect(res.status, JSON.stringify(body)).to.equal(422);
        expect(res.body.errors.map((e: any) => e.path)).to.include(path);
      }
      expect(await countRows(database(), 'ticket_types')).to.equal(2);
    });

    it('refuses to add to a cancelled event', async () => {
      await api.request('PATCH', `/v1/events/${event.id}`, {
        token: owner.token,
        body: { status: 'cancelled' },
      });
      const res = await add({ name: 'Late', price: 1, quantity: 1 });

      expect(res.status).to.equal(409);
      expect(res.body.code).to.equal('event_cancelled');
    });

    it("answers 404 for another organiser's event or an unknown one", async () => {
      const body = { name: 'Sneaky', price: 1, quantity: 1 };
      expect((await add(body, event.id, await api.user('organiser'))).status).to.equal(404);
      expect((await add(body, UNKNOWN_ID)).status).to.equal(404);
      expect((await add(body, 'not-an-id')).status).to.equal(404);
      expect(await countRows(database(), 'ticket_types')).to.equal(2);
    });
  });

  describe('PATCH /v1/events/:id/ticket-types/:tid', () => {
    it('changes the fields sent and keeps the rest', async () => {
      const res = await patch({ price: 3000, description: 'Standing' });

      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({ ...general, price: 3000, description: 'Standing' });
    });

    it('keeps the price a booking was sold at', async () => {
      const booking = await buy(2);
      await patch({ price: 9999 });

      const mine = await api.request('GET', `/v1/bookings/${booking.id}`, {
        token: customer.token,
      });
      expect(mine.body.items[0].unit_price).to.equal(2500);
      expect(mine.body.total).to.equal(5000);
    });

    it('lowers the quantity to exactly what was sold, and no further', async () => {
      await buy(3);

      const equal = await patch({ quantity: 3 });
      expect(equal.status).to.equal(200);
      expect(equal.body).to.include({ quantity: 3, sold: 3, available: 0 });

      const below = await patch({ quantity: 2 });
      expect(below.status).to.equal(409);
      expect(below.body.code).to.equal('quantity_below_sold');
      expect(below.body.sold).to.equal(3);

      const after = (await stored()).ticket_types[0];
      expect(after).to.include({ quantity: 3, sold: 3 });
    });

    it('refuses a name another ticket type of the event has', async () => {
      const res = await patch({ name: 'VIP' });

      expect(res.status).to.equal(409);
      expect(res.body.code).to.equal('ticket_type_name_taken');
      expect((await stored()).ticket_types[0].name).to.equal('General');
    });

    it('refuses a sales window that closes before it opens, counting the stored end', async () => {
      await patch({ sales_end: inDays(3) });
      const res = await patch({ sales_start: inDays(4) });

      expect(res.status).to.equal(422);
      expect(res.body.errors.map((e: any) => e.path)).to.deep.equal(['sales_end']);
    });

    it('refuses changes on a cancelled event', async () => {
      await api.request('PATCH', `/v1/events/${event.id}`, {
        token: owner.token,
        body: { status: 'cancelled' },
      });
      const res = await patch({ quantity: 500 });

      expect(res.status).to.equal(409);
      expect(res.body.code).to.equal('event_cancelled');
    });

    it('answers 404 for a ticket type of another event, or of another organiser', async () => {
      const other = await createEvent(api, owner);
      const stranger = await api.user('organiser');

      expect((await patch({ price: 1 }, other.ticket_types[0].id)).status).to.equal(404);
      expect((await patch({ price: 1 }, UNKNOWN_ID)).status).to.equal(404);
      expect((await patch({ price: 1 }, 'nope')).status).to.equal(404);
      expect((await patch({ price: 1 }, general.id, event.id, stranger)).status).to.equal(404);
      expect((await stored()).ticket_types[0].price).to.equal(2500);
    });
  });

  describe('DELETE /v1/events/:id/ticket-types/:tid', () => {
    it('removes a ticket type nobody booked', async () => {
      const res = await remove();

      expect(res.status).to.equal(204);
      expect((await stored()).ticket_types.map((t: any) => t.name)).to.deep.equal(['VIP']);
    });

    it('refuses once a booking names it, even after that booking is cancelled', async () => {
      const booking = await buy(1);

      const refused = await remove();
      expect(refused.status).to.equal(409);
      expect(refused.body.code).to.equal('ticket_type_has_sales');

      await api.request('POST', `/v1/bookings/${booking.id}/cancel`, { token: customer.token });
      const stillRefused = await remove();
      expect(stillRefused.status).to.equal(409);
      expect(stillRefused.body.code).to.equal('ticket_type_has_sales');
      expect((await remove(event.ticket_types[1].id)).status).to.equal(204);
    });

    it('answers 404 for unknown ids, other events and other organisers', async () => {
      const other = await createEvent(api, owner);
      const stranger = await api.user('organiser');

      expect((await remove(UNKNOWN_ID)).status).to.equal(404);
      expect((await remove(other.ticket_types[0].id)).status).to.equal(404);
      expect((await remove(general.id, event.id, stranger)).status).to.equal(404);
      expect((await remove()).status).to.equal(204);
      expect((await remove()).status).to.equal(404);
    });
  });
});
