import { expect } from 'chai';
import { SignJWT, generateKeyPair, UnsecuredJWT } from 'jose';
import { TestApi } from '../helpers/api.js';
import { forEachEngine } from '../helpers/databases.js';

forEachEngine('access tokens on GET /v1/me', (database) => {
  let api: TestApi;
  before(async () => {
    api = await TestApi.start(database());
  });
  after(async () => api.stop());

  async function expect401(token: string) {
    const res = await api.request('GET', '/v1/me', { token });
    expect(res.status, JSON.stringify(res.body)).to.equal(401);
    expect(res.body.code).to.equal('unauthorized');
  }

  it('accepts a token the server signed', async () => {
    const user = await api.user('customer');
    const res = await api.request('GET', '/v1/me', { token: user.token });
    expect(res.status).to.equal(200);
  });

  it('rejects expired, wrong-audience and wrong-issuer tokens with 401', async () => {
    const user = await api.user('customer');
    await expect401(await api.token(user, { expiresIn: Math.floor(Date.now() / 1000) - 60 }));
    await expect401(await api.token(user, { audience: 'https://elsewhere.test/v1' }));
    await expect401(await api.token(user, { issuer: 'https://evil.test' }));
  });

  it('rejects a tampered token: a customer cannot make itself an organiser', async () => {
    const user = await api.user('customer');
    const [header, payload, signature] = user.token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, role: 'organiser' })).toString(
      'base64url',
    );
    await expect401(`${header}.${forged}.${signature}`);
  });

  it('rejects unsigned (alg none) and foreign-key-signed tokens', async () => {
    const user = await api.user('customer');
    const unsigned = new UnsecuredJWT({ role: 'organiser' })
      .setSubject(user.id)
      .setIssuer(api.config.publicUrl)
      .setAudience(`${api.config.publicUrl}/v1`)
      .setExpirationTime('5m')
      .encode();
    await expect401(unsigned);

    const { privateKey } = await generateKeyPair('ES256');
    const foreign = await new SignJWT({ role: 'organiser' })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'foreign' })
      .setSubject(user.id)
      .setIssuer(api.config.publicUrl)
      .setAudience(`${api.config.publicUrl}/v1`)
      .setExpirationTime('5m')
      .sign(privateKey);
    await expect401(foreign);
  });
});
