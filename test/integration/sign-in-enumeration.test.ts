import { expect } from 'chai';
import * as oidc from 'openid-client';
import type { TestApi } from '../helpers/api.js';
import { TestBrowser, type Page } from '../helpers/browser.js';
import { forEachEngine } from '../helpers/databases.js';
import { confirmUserCode, discoverCli, startOAuthApi } from '../helpers/oauth.js';

const KNOWN = 'kim@example.test';
const UNKNOWN = 'nobody@example.test';
const PASSWORD = 'the right one';

/** The page with the echoed email taken out: what must not differ between the cases. */
function withoutEmail(page: Page, email: string): string {
  return page.html.split(email).join('EMAIL');
}

forEachEngine('Sign-in page: no user enumeration', (database) => {
  let api: TestApi;
  before(async () => {
    api = await startOAuthApi(database(), { EVBOOK_AUTH_RATE_LIMIT: '3' });
  });
  after(async () => api.stop());
  beforeEach(async () => {
    const res = await api.request('POST', '/v1/signup', {
      body: { email: KNOWN, password: PASSWORD, name: 'Kim', role: 'customer' },
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
  });

  async function openSignIn(): Promise<{ browser: TestBrowser; signIn: Page }> {
    const device = await oidc.initiateDeviceAuthorization(await discoverCli(api), {});
    const browser = new TestBrowser();
    const signIn = await confirmUserCode(browser, device.verification_uri_complete!);
    expect(signIn.html, signIn.html).to.include('/login"');
    return { browser, signIn };
  }

  it('answers an unknown email and a wrong password with the same status and page', async () => {
    const { browser, signIn } = await openSignIn();
    const wrong = await browser.submit(signIn, { email: KNOWN, password: 'wrong' });
    const unknown = await browser.submit(signIn, { email: UNKNOWN, password: 'wrong' });
    expect(wrong.status).to.equal(401);
    expect(unknown.status).to.equal(401);
    expect(withoutEmail(unknown, UNKNOWN)).to.equal(withoutEmail(wrong, KNOWN));
  });

  it('counts unknown emails and wrong passwords against one limit, then refuses both alike', async () => {
    const { browser, signIn } = await openSignIn();
    const statuses: number[] = [];
    for (const email of [UNKNOWN, KNOWN, UNKNOWN]) {
      statuses.push((await browser.submit(signIn, { email, password: 'wrong' })).status);
    }
    const known = await browser.submit(signIn, { email: KNOWN, password: PASSWORD });
    const unknown = await browser.submit(signIn, { email: UNKNOWN, password: PASSWORD });
    expect(statuses).to.deep.equal([401, 401, 401]);
    expect([known.status, unknown.status]).to.deep.equal([429, 429]);
    expect(withoutEmail(unknown, UNKNOWN)).to.equal(withoutEmail(known, KNOWN));
  });

  it('does reveal a taken email on sign-up: the one leak sign-up needs', async () => {
    const res = await api.request('POST', '/v1/signup', {
      body: { email: KNOWN, password: PASSWORD, name: 'Kim again', role: 'customer' },
    });
    expect(res.status).to.equal(409);
    expect(res.body.code).to.equal('email_taken');
  });
});
