import { expect } from 'chai';
import { TestApi, type TestUser } from '../helpers/api.js';
import { bookingScene, expectProblem, type BookingScene } from '../helpers/bookings.js';
import { forEachEngine } from '../helpers/databases.js';
import { book, createEvent } from '../helpers/fixtures.js';

const UNKNOWN_ID = '01890a5d-ac96-774b-bcce-b302099a8057';

forEachEngine('GET /v1/bookings', (database) => {
  let api: TestApi;
  let scene: BookingScene;
  before(async () => {
    api = await TestApi.start(database());
  });
  after(async () => api.stop());
  beforeEach(async () => {
    scene = await bookingScene(api);
  });

  /** Books `count` single tickets of General in turn; returns the ids, oldest first. */
  async function bookMany(customer: TestUser, count: number, eventId = scene.event.id) {
    const event = eventId === scene.event.id ? scene.event : undefined;
    const typeId = event ? scene.general.id : await firstTypeOf(eventId);
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const res = await book(api, customer, eventId, [{ ticket_type_id: typeId, quantity: 1 }]);
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      ids.push(res.body.id);
    }
    return ids;
  }

  async function firstTypeOf(eventId: string): Promise<string> {
    const res = await api.request('GET', `/v1/events/${eventId}`, {
      token: scene.customer.token,
    });
    return res.body.ticket_types[0].id;
  }

  const list = (customer: TestUser, query = '') =>
    api.request('GET', `/v1/bookings${query}`, { token: customer.token });

  it("lists only the customer's own bookings, newest first", async () => {
    const other = await api.user('customer');
    const mine = await bookMany(scene.customer, 3);
    await bookMany(other, 2);

    const res = await list(scene.customer);

    expect(res.status).to.equal(200);
    expect(res.body.data.map((b: any) => b.id)).to.deep.equal([...mine].reverse());
    expect(res.body.data.every((b: any) => b.customer_id === scene.customer.id)).to.equal(true);
    expect(res.body.next_cursor).to.equal(null);
  });

  it('lists bookings with their items, total and status', async () => {
    const created = await book(api, scene.customer, scene.event.id, [
      { ticket_type_id: scene.general.id, quantity: 2 },
      { ticket_type_id: scene.vip.id, quantity: 1 },
    ]);
    const res = await list(scene.customer);
    expect(res.body.data).to.have.length(1);
    const [listed] = res.body.data;
    expect(listed).to.deep.include({ ...created.body, items: listed.items });
    expect(listed.items).to.have.deep.members(created.body.items);
  });

  it('answers an empty page for a customer without bookings', async () => {
    const res = await list(await api.user('customer'));
    expect(res.body).to.deep.equal({ data: [], next_cursor: null });
  });

  it('pages with limit and next_cursor, without gaps or repeats', async () => {
    const ids = await bookMany(scene.customer, 5);
    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const res = await list(scene.customer, query);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      sizes.push(res.body.data.length);
      seen.push(...res.body.data.map((b: any) => b.id));
      cursor = res.body.next_cursor;
    } while (cursor);

    expect(sizes).to.deep.equal([2, 2, 1]);
    expect(seen).to.deep.equal([...ids].reverse());
  });

  it('answers next_cursor null when the last page is exactly full', async () => {
    await bookMany(scene.customer, 2);
    const res = await list(scene.customer, '?limit=2');
    expect(res.body.data).to.have.length(2);
    expect(res.body.next_cursor).to.equal(null);
  });

  it('filters by status', async () => {
    const [kept, cancelled] = await bookMany(scene.customer, 2);
    const res = await api.request('POST', `/v1/bookings/${cancelled}/cancel`, {
      token: scene.customer.token,
    });
    expect(res.status).to.equal(200);

    const onlyCancelled = await list(scene.customer, '?status=cancelled');
    const onlyConfirmed = await list(scene.customer, '?status=confirmed');

    expect(onlyCancelled.body.data.map((b: any) => b.id)).to.deep.equal([cancelled]);
    expect(onlyConfirmed.body.data.map((b: any) => b.id)).to.deep.equal([kept]);
  });

  it('filters by event_id', async () => {
    const otherEvent = await createEvent(api, scene.organiser, { title: 'Second night' });
    const first = await bookMany(scene.customer, 2);
    const second = await bookMany(scene.customer, 1, otherEvent.id);

    const ofFirst = await list(scene.customer, `?event_id=${scene.event.id}`);
    const ofSecond = await list(scene.customer, `?event_id=${otherEvent.id}`);
    const ofNone = await list(scene.customer, '?event_id=not-an-id');

    expect(ofFirst.body.data.map((b: any) => b.id)).to.deep.equal([...first].reverse());
    expect(ofSecond.body.data.map((b: any) => b.id)).to.deep.equal(second);
    expect(ofNone.body).to.deep.equal({ data: [], next_cursor: null });
  });

  for (const query of ['?limit=0', '?limit=101', '?status=pending', '?cursor=abc', '?foo=1']) {
    it(`rejects the query ${query} with 422 validation_failed`, async () => {
      expectProblem(await list(scene.customer, query), 422, 'validation_failed');
    });
  }

  it('refuses an organiser with 403 and an anonymous request with 401', async () => {
    expectProblem(await list(scene.organiser), 403, 'forbidden');
    expectProblem(await api.request('GET', '/v1/bookings'), 401, 'unauthorized');
  });

  describe('GET /v1/bookings/:id', () => {
    it('returns the booking to its owner as it was created', async () => {
      const created = await book(api, scene.customer, scene.event.id, [
        { ticket_type_id: scene.vip.id, quantity: 2 },
      ]);
      const res = await api.request('GET', `/v1/bookings/${created.body.id}`, {
        token: scene.customer.token,
      });
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal(created.body);
    });

    it("answers 404 for another customer's booking", async () => {
      const [id] = await bookMany(scene.customer, 1);
      const other = await api.user('customer');
      const res = await api.request('GET', `/v1/bookings/${id}`, { token: other.token });
      expectProblem(res, 404, 'not_found');
      expect(JSON.stringify(res.body)).to.not.include(scene.customer.id);
    });

    it('answers 404 for an unknown or malformed id', async () => {
      for (const id of [UNKNOWN_ID, 'nope']) {
        const res = await api.request('GET', `/v1/bookings/${id}`, {
          token: scene.customer.token,
        });
        expectProblem(res, 404, 'not_found');
      }
    });

    it('refuses an organiser with 403, even the organiser of the event', async () => {
      const [id] = await bookMany(scene.customer, 1);
      const res = await api.request('GET', `/v1/bookings/${id}`, { token: scene.organiser.token });
      expectProblem(res, 403, 'forbidden');
    });
  });
});
