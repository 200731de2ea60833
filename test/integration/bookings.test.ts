import { expect } from 'chai';
import { TestApi, type TestUser } from '../helpers/api.js';
import {
  bookingScene,
  bookingState,
  errorPaths,
  expectRefused,
  outboxRows,
  startEventNow,
  type BookingScene,
} from '../helpers/bookings.js';
import { forEachEngine } from '../helpers/databases.js';
import { book, createEvent, inDays } from '../helpers/fixtures.js';

const UNKNOWN_ID = '01890a5d-ac96-774b-bcce-b302099a8057';

forEachEngine('POST /v1/bookings', (database) => {
  let api: TestApi;
  let scene: BookingScene;
  before(async () => {
    api = await TestApi.start(database());
  });
  after(async () => api.stop());
  beforeEach(async () => {
    scene = await bookingScene(api);
  });

  const refused = (status: number, code: string, request: () => Promise<any>) =>
    expectRefused(database(), status, code, request);
  const post = (user: TestUser | undefined, body: unknown, headers: Record<string, string> = {}) =>
    api.request('POST', '/v1/bookings', { token: user?.token, body, headers });

  describe('a confirmed booking', () => {
    it('books several ticket types and prices them on the server', async () => {
      const { customer, event, general, vip } = scene;
      const res = await book(api, customer, event.id, [
        { ticket_type_id: general.id, quantity: 2 },
        { ticket_type_id: vip.id, quantity: 1 },
      ]);

      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      expect(res.body).to.include({
        event_id: event.id,
        customer_id: customer.id,
        status: 'confirmed',
        total: 2 * 2500 + 9000,
        currency: 'EUR',
        cancelled_at: null,
      });
      expect(res.body.id).to.be.a('string');
      expect(new Date(res.body.created_at).toISOString()).to.equal(res.body.created_at);
      expect(res.body.items).to.have.deep.members([
        { ticket_type_id: general.id, name: 'General', quantity: 2, unit_price: 2500 },
        { ticket_type_id: vip.id, name: 'VIP', quantity: 1, unit_price: 9000 },
      ]);
      expect((await bookingState(database())).sold).to.deep.equal({ [general.id]: 2, [vip.id]: 1 });
    });

    it('sells the last tickets of a type and the quantity equal to max_per_booking', async () => {
      const { customer, event, vip } = scene;
      const other = await api.user('customer');
      for (const who of [other, other]) {
        const res = await book(api, who, event.id, [{ ticket_type_id: vip.id, quantity: 3 }]);
        expect(res.status).to.equal(201);
      }
      const res = await book(api, customer, event.id, [{ ticket_type_id: vip.id, quantity: 4 }]);
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      expect((await bookingState(database())).sold[vip.id]).to.equal(10);
    });

    it('records exactly one booking.confirmed outbox row per booking', async () => {
      const { customer, event, general } = scene;
      const first = await book(api, customer, event.id, [
        { ticket_type_id: general.id, quantity: 1 },
      ]);
      const second = await book(api, customer, event.id, [
        { ticket_type_id: general.id, quantity: 1 },
      ]);

      const rows = await outboxRows(database(), 'booking.confirmed');
      expect(rows.map((row) => row.payload.booking_id)).to.have.members([
        first.body.id,
        second.body.id,
      ]);
      expect(rows[0]!.payload).to.include({ customer_id: customer.id, event_id: event.id });
    });
  });

  describe('rule 1: only customers book', () => {
    it('refuses an organiser with 403 forbidden', async () => {
      const { organiser, event, general } = scene;
      await refused(403, 'forbidden', () =>
        book(api, organiser, event.id, [{ ticket_type_id: general.id, quantity: 1 }]),
      );
    });

    it('refuses a request without a token with 401 unauthorized', async () => {
      const { event, general } = scene;
      const res = await refused(401, 'unauthorized', () =>
        post(undefined, {
          event_id: event.id,
          items: [{ ticket_type_id: general.id, quantity: 1 }],
        }),
      );
      expect(res.headers.get('www-authenticate')).to.match(/^Bearer/);
    });
  });

  describe('rule 2: the event exists and is on sale', () => {
    it('answers 404 for an event id that does not exist', async () => {
      const { customer, general } = scene;
      await refused(404, 'not_found', () =>
        book(api, customer, UNKNOWN_ID, [{ ticket_type_id: general.id, quantity: 1 }]),
      );
    });

    it('answers 404 for a malformed event id', async () => {
      const { customer, general } = scene;
      await refused(404, 'not_found', () =>
        book(api, customer, 'not-an-id', [{ ticket_type_id: general.id, quantity: 1 }]),
      );
    });

    it('refuses a draft event with 409 event_not_on_sale', async () => {
      const draft = await createEvent(api, scene.organiser, { status: 'draft' });
      await refused(409, 'event_not_on_sale', () =>
        book(api, scene.customer, draft.id, [
          { ticket_type_id: draft.ticket_types[0].id, quantity: 1 },
        ]),
      );
    });

    it('refuses a cancelled event with 409 event_not_on_sale', async () => {
      const { organiser, customer, event, general } = scene;
      const patched = await api.request('PATCH', `/v1/events/${event.id}`, {
        token: organiser.token,
        body: { status: 'cancelled' },
      });
      expect(patched.status, JSON.stringify(patched.body)).to.equal(200);
      await refused(409, 'event_not_on_sale', () =>
        book(api, customer, event.id, [{ ticket_type_id: general.id, quantity: 1 }]),
      );
    });

    it('refuses an event that has started with 409 event_not_on_sale', async () => {
      const { customer, event, general } = scene;
      await startEventNow(database(), event.id);
      await refused(409, 'event_not_on_sale', () =>
        book(api, customer, event.id, [{ ticket_type_id: general.id, quantity: 1 }]),
      );
    });
  });

  describe('rule 3: items are distinct ticket types of the event, within limits', () => {
    const invalidItems: Array<[string, (s: BookingScene) => unknown[], string]> = [
      ['items is empty', () => [], 'items'],
      [
        'a ticket type is listed twice',
        (s) => [
          { ticket_type_id: s.general.id, quantity: 1 },
          { ticket_type_id: s.general.id, quantity: 2 },
        ],
        'items.1.ticket_type_id',
      ],
      [
        'a ticket type id is unknown',
        () => [{ ticket_type_id: UNKNOWN_ID, quantity: 1 }],
        'items.0.ticket_type_id',
      ],
      [
        'a quantity is 0',
        (s) => [{ ticket_type_id: s.general.id, quantity: 0 }],
        'items.0.quantity',
      ],
      [
        'a quantity is negative',
        (s) => [{ ticket_type_id: s.general.id, quantity: -2 }],
        'items.0.quantity',
      ],
      [
        'a quantity is not an integer',
        (s) => [{ ticket_type_id: s.general.id, quantity: 1.5 }],
        'items.0.quantity',
      ],
      [
        'a quantity is a string',
        (s) => [{ ticket_type_id: s.general.id, quantity: '2' }],
        'items.0.quantity',
      ],
      [
        'a quantity is over max_per_booking',
        (s) => [
          { ticket_type_id: s.general.id, quantity: 1 },
          { ticket_type_id: s.vip.id, quantity: 5 },
        ],
        'items.1.quantity',
      ],
    ];
    for (const [when, items, path] of invalidItems) {
      it(`rejects a booking when ${when} (422 validation_failed at ${path})`, async () => {
        const res = await refused(422, 'validation_failed', () =>
          post(scene.customer, { event_id: scene.event.id, items: items(scene) }),
        );
        expect(errorPaths(res)).to.include(path);
      });
    }

    it('rejects a ticket type of another event', async () => {
      const other = await createEvent(api, scene.organiser);
      const res = await refused(422, 'validation_failed', () =>
        book(api, scene.customer, scene.event.id, [
          { ticket_type_id: scene.general.id, quantity: 1 },
          { ticket_type_id: other.ticket_types[0].id, quantity: 1 },
        ]),
      );
      expect(errorPaths(res)).to.deep.equal(['items.1.ticket_type_id']);
    });

    it('rejects a body without items or event_id', async () => {
      const res = await refused(422, 'validation_failed', () => post(scene.customer, {}));
      expect(errorPaths(res)).to.include.members(['event_id', 'items']);
    });

    const windows: Array<[string, Record<string, string>]> = [
      ['sales have not opened yet', { sales_start: inDays(2), sales_end: inDays(10) }],
      ['sales have closed', { sales_start: inDays(-10), sales_end: inDays(-1) }],
    ];
    for (const [when, window] of windows) {
      it(`rejects a booking when ${when}`, async () => {
        const event = await createEvent(api, scene.organiser, {
          ticket_types: [{ name: 'Windowed', price: 1000, quantity: 20, ...window }],
        });
        const res = await refused(422, 'validation_failed', () =>
          book(api, scene.customer, event.id, [
            { ticket_type_id: event.ticket_types[0].id, quantity: 1 },
          ]),
        );
        expect(errorPaths(res)).to.deep.equal(['items.0']);
      });
    }

    it('books inside an open sales window', async () => {
      const event = await createEvent(api, scene.organiser, {
        ticket_types: [
          {
            name: 'Early',
            price: 1000,
            quantity: 20,
            sales_start: inDays(-1),
            sales_end: inDays(1),
          },
        ],
      });
      const res = await book(api, scene.customer, event.id, [
        { ticket_type_id: event.ticket_types[0].id, quantity: 1 },
      ]);
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
    });
  });

  describe('rule 4: all or nothing', () => {
    it('books nothing when one of two items lacks stock, and lists what is left', async () => {
      const { customer, event, general, vip } = scene;
      const other = await api.user('customer');
      for (const quantity of [4, 4]) {
        const res = await book(api, other, event.id, [{ ticket_type_id: vip.id, quantity }]);
        expect(res.status).to.equal(201);
      }

      const res = await refused(409, 'sold_out', () =>
        book(api, customer, event.id, [
          { ticket_type_id: general.id, quantity: 2 },
          { ticket_type_id: vip.id, quantity: 3 },
        ]),
      );
      expect(res.body.available).to.have.deep.members([
        { ticket_type_id: general.id, name: 'General', requested: 2, available: 100 },
        { ticket_type_id: vip.id, name: 'VIP', requested: 3, available: 2 },
      ]);
    });

    it('answers sold_out with available 0 for a ticket type with no stock left', async () => {
      const event = await createEvent(api, scene.organiser, {
        ticket_types: [{ name: 'Closed', price: 1000, quantity: 0 }],
      });
      const type = event.ticket_types[0];
      const res = await refused(409, 'sold_out', () =>
        book(api, scene.customer, event.id, [{ ticket_type_id: type.id, quantity: 1 }]),
      );
      expect(res.body.available).to.deep.equal([
        { ticket_type_id: type.id, name: 'Closed', requested: 1, available: 0 },
      ]);
    });
  });

  describe('rule 5: prices and total come from the server', () => {
    it('rejects a body that sends its own total', async () => {
      const { customer, event, general } = scene;
      const res = await refused(422, 'validation_failed', () =>
        post(customer, {
          event_id: event.id,
          items: [{ ticket_type_id: general.id, quantity: 1 }],
          total: 1,
        }),
      );
      expect(res.body.errors).to.have.length.greaterThan(0);
    });

    it('rejects an item that sends its own unit_price', async () => {
      const { customer, event, general } = scene;
      const res = await refused(422, 'validation_failed', () =>
        post(customer, {
          event_id: event.id,
          items: [{ ticket_type_id: general.id, quantity: 1, unit_price: 1 }],
        }),
      );
      expect(errorPaths(res).some((path) => path.startsWith('items.0'))).to.equal(true);
    });

    it('charges the price in force when the booking is made', async () => {
      const { organiser, customer, event, general } = scene;
      const patched = await api.request(
        'PATCH',
        `/v1/events/${event.id}/ticket-types/${general.id}`,
        { token: organiser.token, body: { price: 3100 } },
      );
      expect(patched.status, JSON.stringify(patched.body)).to.equal(200);
      const res = await book(api, customer, event.id, [
        { ticket_type_id: general.id, quantity: 3 },
      ]);
      expect(res.body.items[0].unit_price).to.equal(3100);
      expect(res.body.total).to.equal(9300);
    });
  });

  describe('malformed requests', () => {
    it('rejects a body that is not JSON with 400 invalid_json', async () => {
      await refused(400, 'invalid_json', () =>
        api.request('POST', '/v1/bookings', {
          token: scene.customer.token,
          raw: '{"event_id": ',
          headers: { 'content-type': 'application/json' },
        }),
      );
    });
  });
});
