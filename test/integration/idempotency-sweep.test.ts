import { expect } from 'chai';
import {
  IDEMPOTENCY_RETENTION_MS,
  sweepIdempotencyKeys,
} from '../../src/domain/bookings/idempotency.js';
import { isId, newId } from '../../src/shared/ids.js';
import { TestApi } from '../helpers/api.js';
import { forEachEngine } from '../helpers/databases.js';
import { book, createEvent } from '../helpers/fixtures.js';

forEachEngine('idempotency key retention', (database) => {
  let api: TestApi;
  before(async () => {
    api = await TestApi.start(database());
  });
  after(async () => api.stop());

  it('keeps keys for 24 hours and sweeps them after', async () => {
    const organiser = await api.user('organiser');
    const customer = await api.user('customer');
    const event = await createEvent(api, organiser);
    const item = [{ ticket_type_id: event.ticket_types[0].id, quantity: 1 }];
    await book(api, customer, event.id, item, { 'idempotency-key': 'old' });
    await book(api, customer, event.id, item, { 'idempotency-key': 'new' });
    const knex = database().db.knex;
    const dayAgo = new Date(Date.now() - IDEMPOTENCY_RETENTION_MS - 60_000);
    await knex('idempotency_keys').where({ key: 'old' }).update({ created_at: dayAgo });

    expect(await sweepIdempotencyKeys(knex)).to.equal(1);
    const left = await knex('idempotency_keys').select('key');
    expect(left.map((row: { key: string }) => row.key)).to.deep.equal(['new']);

    // The swept key is free again: reusing it books anew rather than replaying.
    const again = await book(api, customer, event.id, item, { 'idempotency-key': 'old' });
    expect(again.status).to.equal(201);
    expect(again.headers.get('idempotent-replayed')).to.equal('false');
  });
});

describe('ids', () => {
  it('accepts only the lower-case UUIDs it issues', () => {
    const id = newId();
    expect(isId(id)).to.equal(true);
    expect(isId(id.toUpperCase())).to.equal(false);
    expect(isId('not-an-id')).to.equal(false);
  });
});
