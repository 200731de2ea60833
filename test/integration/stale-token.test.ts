import { expect } from 'chai';
import { TestApi } from '../helpers/api.js';
import { forEachEngine } from '../helpers/databases.js';
import { countRows } from '../helpers/db-state.js';
import { book, createEvent, eventBody } from '../helpers/fixtures.js';

forEachEngine('a valid token whose account is gone', (database) => {
  let api: TestApi;
  before(async () => {
    api = await TestApi.start(database());
  });
  after(async () => api.stop());

  it('is a 401 when the organiser no longer exists, and nothing is written', async () => {
    const ghost = { id: '018f0000-0000-7000-8000-0000000000aa', role: 'organiser' as const };
    const token = await api.token(ghost);
    const res = await api.request('POST', '/v1/events', { token, body: eventBody() });
    expect(res.status).to.equal(401);
    expect(res.body.code).to.equal('unauthorized');
    expect(await countRows(database(), 'events')).to.equal(0);
  });

  it('is a 401 when a customer token names a user who is an organiser', async () => {
    const organiser = await api.user('organiser');
    const event = await createEvent(api, organiser);
    const forged = { ...organiser, token: await api.token({ id: organiser.id, role: 'customer' }) };
    const res = await book(api, forged, event.id, [
      { ticket_type_id: event.ticket_types[0].id, quantity: 1 },
    ]);
    expect(res.status).to.equal(401);
    expect(res.body.code).to.equal('unauthorized');
    expect(await countRows(database(), 'bookings')).to.equal(0);
    const sold = await database().db.knex('ticket_types').sum({ n: 'sold' }).first();
    expect(Number(sold?.n)).to.equal(0);
  });
});
