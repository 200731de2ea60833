import { expect } from 'chai';
import type { TestApi } from '../helpers/api.js';
import { forEachEngine } from '../helpers/databases.js';
import { startOAuthApi } from '../helpers/oauth.js';

let sequence = 0;
const signUp = (api: TestApi, forwardedFor?: string) =>
  api.request('POST', '/v1/signup', {
    body: {
      email: `proxied${++sequence}@example.test`,
      password: 'long enough',
      name: 'Proxied',
      role: 'customer',
    },
    headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {},
  });

/** Three sign-ups spend the limit of 3; the fourth from the same client is refused. */
async function spendLimit(api: TestApi, forwardedFor: string): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < 4; i++) statuses.push((await signUp(api, forwardedFor)).status);
  return statuses;
}

forEachEngine('client address behind proxies', (database) => {
  describe('with no trusted proxy (the default)', () => {
    let api: TestApi;
    before(async () => {
      api = await startOAuthApi(database(), { EVBOOK_AUTH_RATE_LIMIT: '3' });
    });
    after(async () => api.stop());

    it('ignores X-Forwarded-For, so a client cannot dodge the rate limit by forging it', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await signUp(api, `203.0.113.${i}`)).status);

      expect(statuses).to.deep.equal([201, 201, 201, 429]);
    });
  });

  describe('with EVBOOK_TRUST_PROXY_HOPS=1', () => {
    let api: TestApi;
    before(async () => {
      api = await startOAuthApi(database(), {
        EVBOOK_AUTH_RATE_LIMIT: '3',
        EVBOOK_TRUST_PROXY_HOPS: '1',
      });
    });
    after(async () => api.stop());

    it('limits each forwarded client on its own', async () => {
      expect(await spendLimit(api, '198.51.100.7')).to.deep.equal([201, 201, 201, 429]);

      expect((await signUp(api, '198.51.100.8')).status).to.equal(201);
    });

    it('takes the address the proxy appended, not what the client wrote before it', async () => {
      expect(await spendLimit(api, '198.51.100.9')).to.deep.equal([201, 201, 201, 429]);

      const forged = await signUp(api, '192.0.2.1, 198.51.100.9');
      expect(forged.status).to.equal(429);
    });
  });
});
