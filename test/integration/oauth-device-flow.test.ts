import { expect } from 'chai';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import * as oidc from 'openid-client';
import type { TestApi } from '../helpers/api.js';
import { forEachEngine } from '../helpers/databases.js';
import { findForm, TestBrowser } from '../helpers/browser.js';
import { approveInBrowser, discoverCli, startOAuthApi } from '../helpers/oauth.js';

const PASSWORD = 'correct horse battery';

forEachEngine('OAuth 2.0 device flow', (database) => {
  let api: TestApi;
  before(async () => {
    api = await startOAuthApi(database());
  });
  after(async () => api.stop());

  async function signUp(role: 'organiser' | 'customer', email = `${role}@example.test`) {
    const res = await api.request('POST', '/v1/signup', {
      body: { email, password: PASSWORD, name: `A ${role}`, role },
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body as { id: string; email: string };
  }

  async function logIn(
    email: string,
    options: { signUp?: boolean; deny?: boolean; params?: Record<string, string> } = {},
  ) {
    const config = await discoverCli(api);
    const device = await oidc.initiateDeviceAuthorization(config, options.params ?? {});
    const page = await approveInBrowser(
      device.verification_uri_complete!,
      {
        email,
        password: PASSWORD,
        role: 'organiser',
      },
      options,
    );
    return { config, page, poll: oidc.pollDeviceAuthorizationGrant(config, device) };
  }

  it('publishes RFC 8414 metadata for an issuer equal to the public URL', async () => {
    const res = await api.request('GET', '/.well-known/oauth-authorization-server');
    expect(res.status).to.equal(200);
    expect(res.body.issuer).to.equal(api.config.publicUrl);
    expect(res.body.token_endpoint).to.equal(`${api.url}/oauth/token`);
    expect(res.body.device_authorization_endpoint).to.equal(`${api.url}/oauth/device/auth`);
    expect(res.body.revocation_endpoint).to.equal(`${api.url}/oauth/token/revocation`);
    expect(res.body.jwks_uri).to.equal(`${api.url}/oauth/jwks`);
  });

  it('issues a JWT access token with sub and role that GET /v1/me accepts', async function () {
    this.timeout(30_000);
    const user = await signUp('organiser');
    const { page, poll } = await logIn(user.email);
    expect(page.status, page.html).to.equal(200);
    expect(page.html).to.include('Device connected');

    const tokens = await poll;
    expect(tokens.refresh_token).to.be.a('string');
    expect(decodeProtectedHeader(tokens.access_token)).to.include({ alg: 'ES256', typ: 'at+jwt' });
    const claims = decodeJwt(tokens.access_token);
    expect(claims).to.include({ sub: user.id, role: 'organiser', iss: api.config.publicUrl });
    expect(claims.aud).to.equal(`${api.config.publicUrl}/v1`);
    expect(claims.exp! - claims.iat!).to.be.at.most(15 * 60);

    const me = await api.request('GET', '/v1/me', { token: tokens.access_token });
    expect(me.status, JSON.stringify(me.body)).to.equal(200);
    expect(me.body).to.include({ id: user.id, role: 'organiser' });
  });

  it('rotates refresh tokens, and a replayed one revokes the whole family', async function () {
    this.timeout(30_000);
    const user = await signUp('customer');
    const { config, poll } = await logIn(user.email);
    const first = await poll;

    const second = await oidc.refreshTokenGrant(config, first.refresh_token!);
    expect(second.refresh_token).to.be.a('string').and.not.equal(first.refresh_token);
    expect(decodeJwt(second.access_token)).to.include({ sub: user.id, role: 'customer' });

    const replay = await oidc.refreshTokenGrant(config, first.refresh_token!).catch((e) => e);
    expect(replay).to.be.instanceOf(oidc.ResponseBodyError);
    expect(replay.error).to.equal('invalid_grant');

    const after = await oidc.refreshTokenGrant(config, second.refresh_token!).catch((e) => e);
    expect(after.error).to.equal('invalid_grant');
  });

  it('revokes a refresh token (RFC 7009)', async function () {
    this.timeout(30_000);
    const user = await signUp('customer', 'revoker@example.test');
    const { config, poll } = await logIn(user.email);
    const tokens = await poll;

    await oidc.tokenRevocation(config, tokens.refresh_token!);
    const refresh = await oidc.refreshTokenGrant(config, tokens.refresh_token!).catch((e) => e);
    expect(refresh.error).to.equal('invalid_grant');
  });

  it('signs a new person up from the sign-in page and gives the poll their tokens', async function () {
    this.timeout(30_000);
    const { page, poll } = await logIn('new.person@example.test', { signUp: true });
    expect(page.html).to.include('Device connected');
    const tokens = await poll;
    const me = await api.request('GET', '/v1/me', { token: tokens.access_token });
    expect(me.body).to.include({ email: 'new.person@example.test', role: 'organiser' });
  });

  it('answers the poll with access_denied when the person denies', async function () {
    this.timeout(30_000);
    const user = await signUp('customer', 'denier@example.test');
    const { page, poll } = await logIn(user.email, { deny: true });
    expect(page.html).to.include('Request denied');
    const error = await poll.catch((e) => e);
    expect(error).to.be.instanceOf(oidc.ResponseBodyError);
    expect(error.error).to.equal('access_denied');
  });

  it('never gives a customer the organiser role, whatever the request asks for', async function () {
    this.timeout(30_000);
    const user = await signUp('customer', 'sneaky@example.test');
    const { poll } = await logIn(user.email, {
      params: {
        scope: 'openid offline_access role organiser',
        claims: JSON.stringify({ id_token: { role: { value: 'organiser' } } }),
        role: 'organiser',
      },
    });
    const error = await poll.then(
      (tokens) => {
        expect(decodeJwt(tokens.access_token)).to.include({ sub: user.id, role: 'customer' });
        return undefined;
      },
      (e: unknown) => e,
    );
    // Either the request is refused outright or the token says customer.
    if (error) expect((error as oidc.ResponseBodyError).error).to.match(/^invalid_/);
  });

  it('redirects a code entry without a saved session to a fresh form (303), never a 500', async () => {
    // No cookie at all, and a session cookie the server never issued (unsigned, unknown id).
    for (const cookie of [undefined, '_session=not-a-session-id']) {
      const res = await fetch(`${api.url}/oauth/device`, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          ...(cookie ? { cookie } : {}),
        },
        body: new URLSearchParams({ xsrf: 'forged', user_code: 'BCDF-GHJK' }).toString(),
      });
      expect(res.status, `${cookie}: ${await res.text()}`).to.equal(303);
      expect(res.headers.get('location')).to.equal('/oauth/device');
    }
    const form = await new TestBrowser().open(`${api.url}/oauth/device`);
    expect(form.status).to.equal(200);
    expect(findForm(form.html, '/oauth/device').fields).to.have.property('xsrf');
  });
});
