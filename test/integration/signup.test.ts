import { expect } from 'chai';
import type { TestApi } from '../helpers/api.js';
import { forEachEngine } from '../helpers/databases.js';
import { startOAuthApi } from '../helpers/oauth.js';

const body = (overrides: Record<string, unknown> = {}) => ({
  email: 'Ada@Example.test',
  password: 'long enough',
  name: 'Ada',
  role: 'organiser',
  ...overrides,
});

forEachEngine('POST /v1/signup', (database) => {
  let api: TestApi;
  before(async () => {
    api = await startOAuthApi(database(), { EVBOOK_AUTH_RATE_LIMIT: '3' });
  });
  after(async () => api.stop());

  it('creates a user with a lower-cased email and stores only a salted scrypt hash', async () => {
    const res = await api.request('POST', '/v1/signup', { body: body() });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body).to.include({ email: 'ada@example.test', name: 'Ada', role: 'organiser' });
    expect(res.body).to.not.have.property('password');

    const row = await database().db.knex('users').where({ id: res.body.id }).first();
    expect(row.password_hash).to.match(/^scrypt\$N=\d+,r=\d+,p=\d+\$[\w-]+\$[\w-]+$/);
    expect(row.password_hash).to.not.include('long enough');
  });

  it('refuses an email already taken in another case with 409 email_taken', async () => {
    await api.request('POST', '/v1/signup', { body: body() });
    const res = await api.request('POST', '/v1/signup', {
      body: body({ email: 'ADA@example.TEST' }),
    });
    expect(res.status).to.equal(409);
    expect(res.body.code).to.equal('email_taken');
  });

  it('rejects short passwords, unknown roles and extra fields with 422', async () => {
    for (const bad of [{ password: 'short' }, { role: 'admin' }, { email: 'nope' }, { id: 'x' }]) {
      const res = await api.request('POST', '/v1/signup', { body: body(bad) });
      expect(res.status, JSON.stringify(bad)).to.equal(422);
      expect(res.body.code).to.equal('validation_failed');
    }
  });

  it('limits sign-ups per address per minute with 429 and Retry-After', async () => {
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 5; i++) {
      last = await api.request('POST', '/v1/signup', {
        body: body({ email: `u${i}@example.test` }),
      });
      statuses.push(last.status);
    }
    expect(statuses).to.include(429);
    expect(last!.status).to.equal(429);
    expect(last!.headers.get('content-type')).to.include('application/problem+json');
    expect(Number(last!.headers.get('retry-after'))).to.be.within(1, 60);
    expect(last!.body.code).to.equal('rate_limited');
  });
});
