import { expect } from 'chai';
import { decodeJwt } from 'jose';
import type { TestApi } from '../helpers/api.js';
import { forEachEngine } from '../helpers/databases.js';
import { startOAuthApi } from '../helpers/oauth.js';

forEachEngine('API clients (unattended use)', (database) => {
  let api: TestApi;
  before(async () => {
    api = await startOAuthApi(database());
  });
  after(async () => api.stop());

  async function clientCredentials(clientId: string, secret: string) {
    const res = await fetch(`${api.url}/oauth/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
      },
      body: 'grant_type=client_credentials',
    });
    return { status: res.status, body: (await res.json()) as Record<string, string> };
  }

  it('gives a script tokens that act as the owner, until the owner revokes the client', async () => {
    const owner = await api.user('organiser');
    const created = await api.request('POST', '/v1/api-clients', {
      token: owner.token,
      body: { name: 'ci' },
    });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const { client_id: clientId, client_secret: secret } = created.body;

    const grant = await clientCredentials(clientId, secret);
    expect(grant.status, JSON.stringify(grant.body)).to.equal(200);
    expect(decodeJwt(grant.body.access_token!)).to.include({ sub: owner.id, role: 'organiser' });
    const me = await api.request('GET', '/v1/me', { token: grant.body.access_token });
    expect(me.body).to.include({ id: owner.id });

    const list = await api.request('GET', '/v1/api-clients', { token: owner.token });
    expect(list.body.data.map((c: { client_id: string }) => c.client_id)).to.deep.equal([clientId]);
    expect(JSON.stringify(list.body)).to.not.include(secret);

    const other = await api.user('customer');
    const theirs = await api.request('DELETE', `/v1/api-clients/${clientId}`, {
      token: other.token,
    });
    expect(theirs.status).to.equal(404);

    const revoked = await api.request('DELETE', `/v1/api-clients/${clientId}`, {
      token: owner.token,
    });
    expect(revoked.status).to.equal(204);
    expect((await clientCredentials(clientId, secret)).body.error).to.equal('invalid_client');
  });

  it('refuses a wrong secret and does not let evbook-cli use client credentials', async () => {
    const owner = await api.user('customer');
    const created = await api.request('POST', '/v1/api-clients', {
      token: owner.token,
      body: { name: 'script' },
    });
    expect((await clientCredentials(created.body.client_id, 'wrong')).body.error).to.equal(
      'invalid_client',
    );
    const res = await fetch(`${api.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&client_id=evbook-cli',
    });
    expect(res.status).to.equal(400);
  });
});
