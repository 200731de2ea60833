import { expect } from 'chai';
import * as oidc from 'openid-client';
import type { TestApi } from '../helpers/api.js';
import { TestBrowser } from '../helpers/browser.js';
import { forEachEngine } from '../helpers/databases.js';
import { discoverCli, startOAuthApi } from '../helpers/oauth.js';

forEachEngine('OAuth abuse limits', (database) => {
  let api: TestApi;
  before(async () => {
    api = await startOAuthApi(database(), { EVBOOK_AUTH_RATE_LIMIT: '3' });
  });
  after(async () => api.stop());

  it('stops user-code guessing after the limit with 429 and Retry-After', async () => {
    const browser = new TestBrowser();
    let form = await browser.open(`${api.url}/oauth/device`);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const page = await browser.submit(form, { user_code: `BCDF-GHJ${i}` });
      statuses.push(page.status);
      if (page.status === 200) {
        expect(page.html).to.include('not valid');
        form = page; // each answer carries a fresh xsrf token
      } else {
        expect(page.headers.get('retry-after')).to.match(/^\d+$/);
      }
    }
    expect(statuses.slice(0, 3)).to.deep.equal([200, 200, 200]);
    expect(statuses.slice(3)).to.deep.equal([429, 429]);
  });

  it('stops password guessing after the limit of failed sign-ins', async () => {
    await api.request('POST', '/v1/signup', {
      body: { email: 'kim@example.test', password: 'the right one', name: 'Kim', role: 'customer' },
    });
    const config = await discoverCli(api);
    const device = await oidc.initiateDeviceAuthorization(config, {});
    const browser = new TestBrowser();
    let page = await browser.open(device.verification_uri_complete!);
    page = await browser.submit(page, {}, '/oauth/device');
    const signIn = await browser.submit(page, { confirm: 'yes' }, '/oauth/device');

    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await browser.submit(signIn, {
        email: 'kim@example.test',
        password: `wrong ${i}`,
      });
      statuses.push(res.status);
    }
    expect(statuses).to.deep.equal([401, 401, 401, 429]);
    const right = await browser.submit(signIn, {
      email: 'kim@example.test',
      password: 'the right one',
    });
    expect(right.status).to.equal(429);
  });

  it('stops refresh-token guessing after the limit with a 429 OAuth error', async () => {
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 4; i++) {
      last = await fetch(`${api.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `grant_type=refresh_token&client_id=evbook-cli&refresh_token=guess${i}`,
      });
      statuses.push(last.status);
    }
    expect(statuses).to.deep.equal([400, 400, 400, 429]);
    expect(last!.headers.get('retry-after')).to.match(/^\d+$/);
    expect(await last!.json()).to.have.property('error', 'temporarily_unavailable');
  });

  it('rejects a form post without the CSRF token', async () => {
    const config = await discoverCli(api);
    const device = await oidc.initiateDeviceAuthorization(config, {});
    const browser = new TestBrowser();
    let page = await browser.open(device.verification_uri_complete!);
    page = await browser.submit(page, {}, '/oauth/device');
    const signIn = await browser.submit(page, { confirm: 'yes' }, '/oauth/device');
    const res = await browser.submit(signIn, {
      csrf: 'forged',
      email: 'x@example.test',
      password: 'x',
    });
    expect(res.status).to.equal(403);
  });

  it('answers malformed OAuth requests with RFC 6749 errors', async () => {
    const res = await fetch(`${api.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=refresh_token&client_id=evbook-cli&refresh_token=nope',
    });
    expect(res.status).to.equal(400);
    expect(await res.json()).to.include({ error: 'invalid_grant' });

    const unknown = await fetch(`${api.url}/oauth/device/auth`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'client_id=someone-else',
    });
    expect(unknown.status).to.equal(401);
    expect(await unknown.json()).to.include({ error: 'invalid_client' });
  });
});

forEachEngine('device code polling', (database) => {
  let api: TestApi;
  before(async () => {
    api = await startOAuthApi(database());
  });
  after(async () => api.stop());

  it('answers a poll that comes too soon with slow_down', async () => {
    const config = await discoverCli(api);
    const device = await oidc.initiateDeviceAuthorization(config, {});
    const poll = async () => {
      const res = await fetch(`${api.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
          client_id: 'evbook-cli',
          device_code: device.device_code,
        }),
      });
      return { status: res.status, body: (await res.json()) as { error: string } };
    };
    // Three quick polls: at least two of them fall within one interval.
    const answers = [await poll(), await poll(), await poll()];
    expect(answers.map((a) => a.status)).to.deep.equal([400, 400, 400]);
    expect(answers.map((a) => a.body.error)).to.include('slow_down');
  });
});
