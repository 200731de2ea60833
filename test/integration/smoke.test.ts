import { expect } from 'chai';
import { TestApi } from '../helpers/api.js';
import { forEachEngine } from '../helpers/databases.js';
import { book, createEvent } from '../helpers/fixtures.js';

forEachEngine('booking smoke', (database) => {
  let api: TestApi;
  before(async () => {
    api = await TestApi.start(database());
  });
  after(async () => api.stop());

  it('books tickets and takes them from stock', async () => {
    const organiser = await api.user('organiser');
    const customer = await api.user('customer');
    const event = await createEvent(api, organiser);
    const general = event.ticket_types[0];
    const res = await book(api, customer, event.id, [{ ticket_type_id: general.id, quantity: 2 }]);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body.total).to.equal(5000);
    const after = await api.request('GET', `/v1/events/${event.id}`, { token: organiser.token });
    expect(after.body.ticket_types[0].sold).to.equal(2);
  });
});
