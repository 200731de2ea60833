import { expect } from 'chai';
import { existsSync } from 'node:fs';
import * as oidc from 'openid-client';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { TestApi } from '../helpers/api.js';
import { forEachEngine } from '../helpers/databases.js';
import { discoverCli, startOAuthApi } from '../helpers/oauth.js';

/** Debian's Chromium; `.ci/run` installs the `chromium` package when it is missing. */
const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

if (!existsSync(CHROMIUM) && process.env.CI === 'true') {
  throw new Error(`CI=true but ${CHROMIUM} is missing: apt-get install -y chromium`);
}

forEachEngine('device flow in headless Chromium', (database) => {
  let api: TestApi;
  let browser: Browser;
  let page: Page;

  before(async function () {
    if (!existsSync(CHROMIUM)) this.skip();
    this.timeout(60_000);
    api = await startOAuthApi(database());
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  });
  after(async () => {
    await browser?.close();
    await api?.stop();
  });
  beforeEach(async () => {
    page = await (await browser.newContext()).newPage();
  });
  afterEach(async () => page?.context().close());

  async function startDeviceFlow() {
    const config = await discoverCli(api);
    const device = await oidc.initiateDeviceAuthorization(config, {});
    await page.goto(device.verification_uri_complete!);
    await expect(await page.getByLabel('Code').inputValue()).to.equal(device.user_code);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    return oidc.pollDeviceAuthorizationGrant(config, device);
  }

  it('signs a person up, approves the code, and the poll gets tokens', async function () {
    this.timeout(60_000);
    const poll = startDeviceFlow();

    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByLabel('Name').fill('Browser Person');
    await page.getByLabel('Email').fill('browser@example.test');
    await page.getByLabel(/^Password/).fill('a browser password');
    await page.getByLabel('I want to').selectOption('organiser');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.getByRole('heading', { name: 'Device connected' }).waitFor();

    const tokens = await poll;
    const me = await api.request('GET', '/v1/me', { token: tokens.access_token });
    expect(me.status).to.equal(200);
    expect(me.body).to.include({ email: 'browser@example.test', role: 'organiser' });
  });

  it('gives the poll access_denied when the person denies', async function () {
    this.timeout(60_000);
    await api.request('POST', '/v1/signup', {
      body: {
        email: 'no@example.test',
        password: 'a browser password',
        name: 'No',
        role: 'customer',
      },
    });
    const poll = startDeviceFlow();
    poll.catch(() => undefined);

    await page.getByLabel('Email').fill('no@example.test');
    await page.getByLabel('Password').fill('a browser password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Deny' }).click();
    await page.getByRole('heading', { name: 'Request denied' }).waitFor();

    const error = await poll.catch((e: unknown) => e);
    expect(error).to.be.instanceOf(oidc.ResponseBodyError);
    expect((error as oidc.ResponseBodyError).error).to.equal('access_denied');
  });
});
