import { expect } from 'chai';
import { decodeProtectedHeader } from 'jose';
import * as oidc from 'openid-client';
import { loadSigningKeys } from '../../src/auth/keys.js';
import { runCli } from '../helpers/cli.js';
import { forEachEngine } from '../helpers/databases.js';
import { approveInBrowser, discoverCli, startOAuthApi } from '../helpers/oauth.js';

forEachEngine('evbook rotate-keys', (database) => {
  it('adds a signing key that restarted servers sign with, while the old one still verifies', async function () {
    this.timeout(40_000);
    let api = await startOAuthApi(database());
    const oldToken = (await api.user('customer')).token;
    await api.stop();

    const result = await runCli(['rotate-keys', '--cookie-key'], {
      EVBOOK_DATABASE_URL: database().url,
    });
    expect(result.code, result.stderr).to.equal(0);
    const keys = await loadSigningKeys(database().db.knex);
    expect(keys).to.have.length(2);
    expect(result.stdout).to.include(keys[0]!.kid);

    // Same address, so the same issuer as the token signed before the rotation.
    const { port, publicUrl } = api.config;
    api = await startOAuthApi(database(), {
      EVBOOK_PORT: String(port),
      EVBOOK_PUBLIC_URL: publicUrl,
    });
    try {
      const jwks = await api.request('GET', '/oauth/jwks');
      const kids = jwks.body.keys.map((key: { kid: string }) => key.kid);
      expect(kids).to.have.members(keys.map((key) => key.kid));

      expect((await api.request('GET', '/v1/me', { token: oldToken })).status).to.equal(200);

      await api.request('POST', '/v1/signup', {
        body: { email: 'rot@example.test', password: 'rotation!', name: 'R', role: 'customer' },
      });
      const config = await discoverCli(api);
      const device = await oidc.initiateDeviceAuthorization(config, {});
      const poll = oidc.pollDeviceAuthorizationGrant(config, device);
      await approveInBrowser(device.verification_uri_complete!, {
        email: 'rot@example.test',
        password: 'rotation!',
      });
      const tokens = await poll;
      expect(decodeProtectedHeader(tokens.access_token).kid).to.equal(keys[0]!.kid);
    } finally {
      await api.stop();
    }
  });
});
