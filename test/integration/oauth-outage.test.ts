import Sqlite from 'better-sqlite3';
import { expect } from 'chai';
import { TestApi } from '../helpers/api.js';
import { findForm, TestBrowser, type Page } from '../helpers/browser.js';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { confirmUserCode } from '../helpers/oauth.js';
import { clusterUnavailableReason, PostgresCluster } from '../helpers/pg-cluster.js';
import { spawnServe, type ServeProcess } from '../helpers/serve-process.js';
import { waitFor } from '../helpers/wait.js';

/**
 * The OAuth server while its database is stopped: a private PostgreSQL cluster is
 * stopped under a real `evbook serve`. Every OAuth endpoint must answer a retryable
 * 503 in its own format (RFC 6749 JSON, or an HTML page for a browser), never
 * oidc-provider's 500, and the same process must work again once the cluster is back.
 */

const CLI = 'evbook-cli';
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const PASSWORD = 'correct horse battery';
const EMAIL = 'outage@example.test';
/** What a stack trace looks like in a body: a frame with a file position. */
const STACK_FRAME = /\bat .+:\d+:\d+|node_modules|\.ts:\d+/;

/** One HTTP answer, as read by the test. */
interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

/** What the device authorization endpoint hands the CLI. */
interface DeviceAuthorization {
  device_code: string;
  verification_uri_complete: string;
}

interface Tokens {
  access_token: string;
  refresh_token: string;
}

const reason = clusterUnavailableReason();

describe('OAuth endpoints while PostgreSQL is stopped [postgres, private cluster]', function () {
  this.timeout(180_000);
  if (reason && process.env.CI !== 'true') {
    it(`was NOT run: ${reason}`);
    return;
  }

  let cluster: PostgresCluster | undefined;
  let serve: ServeProcess | undefined;

  before(async function () {
    this.timeout(120_000);
    // Under CI a missing binary makes start() throw here: the suite fails, never skips.
    cluster = await PostgresCluster.start();
    serve = await spawnServe(await cluster.createDatabase('evbook'), 60_000, { migrate: true });
  });
  after(async () => {
    await serve?.stop();
    await cluster?.destroy();
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed') {
      console.error(`serve stderr:\n${serve?.stderr()}\nserver log:\n${cluster?.log()}`);
    }
  });

  it('answers 503 in each endpoint format, never 500, and recovers without a restart of serve', async () => {
    // With the database up: a signed-in CLI (its refresh token), a second login
    // waiting on its sign-in page, and a third browser holding the code-entry form.
    const signUp = await post('/v1/signup', JSON.stringify(account()), 'application/json');
    expect(signUp.status, signUp.text).to.equal(201);
    const first = await deviceLogin();
    const pending = await authorizeDevice();
    const signingIn = new TestBrowser();
    const signInPage = await confirmUserCode(signingIn, pending.verification_uri_complete);
    expect(signInPage.html, signInPage.html).to.include('/login"');
    const entering = new TestBrowser();
    const codeForm = await entering.open(`${serve!.url}/oauth/device`);
    expect(codeForm.status).to.equal(200);

    await cluster!.stop('fast');
    try {
      const json = {
        'device authorization': await post('/oauth/device/auth', form({ client_id: CLI })),
        'token, device_code grant': await post(
          '/oauth/token',
          form({ grant_type: DEVICE_GRANT, client_id: CLI, device_code: pending.device_code }),
        ),
        'token, refresh_token grant': await post(
          '/oauth/token',
          form({ grant_type: 'refresh_token', client_id: CLI, refresh_token: first.refresh_token }),
        ),
        // The client lookup reads the database, so an unknown client is not a 401 yet.
        'token, client_credentials grant': await post(
          '/oauth/token',
          form({ grant_type: 'client_credentials' }),
          undefined,
          { authorization: `Basic ${Buffer.from('evbook-ac-any:secret').toString('base64')}` },
        ),
        revocation: await post(
          '/oauth/token/revocation',
          form({ client_id: CLI, token: first.refresh_token }),
        ),
      };
      for (const [name, answer] of Object.entries(json)) expectJsonUnavailable(name, answer);

      const pages: Record<string, Page> = {
        'GET /oauth/device': await new TestBrowser().open(`${serve!.url}/oauth/device`),
        'POST /oauth/device with a session': await entering.submit(
          codeForm,
          { user_code: 'BCDF-GHJK' },
          '/oauth/device',
        ),
        'GET /interaction/:uid': await signingIn.open(signInPage.url),
        'POST /interaction/:uid/login': await signingIn.submit(signInPage, {
          email: EMAIL,
          password: PASSWORD,
        }),
        'GET /interaction/:uid/signup': await signingIn.open(`${signInPage.url}/signup`),
      };
      for (const [name, page] of Object.entries(pages)) expectPageUnavailable(name, page);

      // No session to look up: the redirect to a fresh form needs no database.
      const sessionless = await post('/oauth/device', form({ user_code: 'BCDF-GHJK' }));
      expect(sessionless.status, sessionless.text).to.equal(303);
      expect(sessionless.headers.get('location')).to.equal('/oauth/device');

      // Metadata and keys are served from memory.
      for (const path of ['/.well-known/oauth-authorization-server', '/oauth/jwks']) {
        expect((await get(path)).status, path).to.equal(200);
      }

      const me = await get('/v1/me', { authorization: `Bearer ${first.access_token}` });
      expect(me.status, me.text).to.equal(503);
      expect(me.headers.get('content-type')).to.match(/^application\/problem\+json/);
      expect(JSON.parse(me.text).code).to.equal('unavailable');
    } finally {
      await cluster!.resume();
    }

    // Back up, same serve process: the refresh token still works (nothing was revoked
    // during the outage), and the login that waited on its sign-in page completes.
    await waitFor('serve ready again', async () => (await get('/readyz')).status === 200, 60_000);
    const refreshed = await tokenRequest({
      grant_type: 'refresh_token',
      client_id: CLI,
      refresh_token: first.refresh_token,
    });
    expect(refreshed.access_token).to.be.a('string');
    const consent = await signingIn.submit(await signingIn.open(signInPage.url), {
      email: EMAIL,
      password: PASSWORD,
    });
    const done = await signingIn.submit(consent, {}, '/confirm');
    expect(done.html, done.html).to.include('Device connected');
    const tokens = await tokenRequest({
      grant_type: DEVICE_GRANT,
      client_id: CLI,
      device_code: pending.device_code,
    });
    const me = await get('/v1/me', { authorization: `Bearer ${tokens.access_token}` });
    expect(me.status, me.text).to.equal(200);
    expect(JSON.parse(me.text).email).to.equal(EMAIL);
    expect(serve!.child.exitCode, serve!.stderr()).to.equal(null);
  });

  /** A full device login of the test account with the database up. */
  async function deviceLogin(): Promise<Tokens> {
    const device = await authorizeDevice();
    const browser = new TestBrowser();
    const signIn = await confirmUserCode(browser, device.verification_uri_complete);
    const consent = await browser.submit(signIn, { email: EMAIL, password: PASSWORD });
    const done = await browser.submit(consent, {}, '/confirm');
    expect(done.html, done.html).to.include('Device connected');
    return tokenRequest({
      grant_type: DEVICE_GRANT,
      client_id: CLI,
      device_code: device.device_code,
    });
  }

  async function authorizeDevice(): Promise<DeviceAuthorization> {
    const answer = await post('/oauth/device/auth', form({ client_id: CLI }));
    expect(answer.status, answer.text).to.equal(200);
    return JSON.parse(answer.text) as DeviceAuthorization;
  }

  async function tokenRequest(params: Record<string, string>): Promise<Tokens> {
    const answer = await post('/oauth/token', form(params));
    expect(answer.status, answer.text).to.equal(200);
    return JSON.parse(answer.text) as Tokens;
  }

  function get(path: string, headers: Record<string, string> = {}): Promise<Answer> {
    return send('GET', path, undefined, undefined, headers);
  }

  function post(
    path: string,
    body: string,
    contentType = 'application/x-www-form-urlencoded',
    headers: Record<string, string> = {},
  ): Promise<Answer> {
    return send('POST', path, body, contentType, headers);
  }

  async function send(
    method: string,
    path: string,
    body: string | undefined,
    contentType: string | undefined,
    headers: Record<string, string>,
  ): Promise<Answer> {
    const res = await fetch(`${serve!.url}${path}`, {
      method,
      body,
      redirect: 'manual',
      headers: { ...(contentType ? { 'content-type': contentType } : {}), ...headers },
      signal: AbortSignal.timeout(30_000),
    });
    return { status: res.status, headers: res.headers, text: await res.text() };
  }
});

describe('OAuth and API while another process holds the SQLite write lock [sqlite]', function () {
  this.timeout(60_000);
  let database: TestDatabase;
  let api: TestApi;
  before(async () => {
    database = await createTestDatabase('sqlite');
    api = await TestApi.start(database);
  });
  after(async () => {
    await api.stop();
    await database.destroy();
  });

  it('answers 503 once the busy timeout passes, never 500, and works when the lock goes', async () => {
    // Another process (here: another connection) writing for longer than serve's
    // busy timeout is "database is locked", SQLITE_BUSY: retryable, like an outage.
    const holder = new Sqlite(database.url.slice('sqlite:'.length));
    holder.exec('begin immediate');
    let locked: Awaited<ReturnType<typeof attempt>>;
    try {
      locked = await attempt();
    } finally {
      holder.exec('rollback');
      holder.close();
    }
    const [device, signUp] = locked;
    expect(device.status, JSON.stringify(device.body)).to.equal(503);
    expect(device.body.error).to.equal('temporarily_unavailable');
    expect(device.headers.get('cache-control')).to.include('no-store');
    expect(signUp.status, JSON.stringify(signUp.body)).to.equal(503);
    expect(signUp.headers.get('content-type')).to.match(/^application\/problem\+json/);
    expect(signUp.body.code).to.equal('unavailable');

    const [deviceAfter, signUpAfter] = await attempt();
    expect(deviceAfter.status, JSON.stringify(deviceAfter.body)).to.equal(200);
    expect(signUpAfter.status, JSON.stringify(signUpAfter.body)).to.equal(201);
  });

  /** A device authorization and a sign-up, both of which write, sent together. */
  function attempt() {
    return Promise.all([
      api.request('POST', '/oauth/device/auth', {
        raw: form({ client_id: CLI }),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
      api.request('POST', '/v1/signup', { body: account() }),
    ]);
  }
});

function account() {
  return { email: EMAIL, password: PASSWORD, name: 'Out Age', role: 'customer' };
}

function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

/** RFC 6749 JSON: 503 `temporarily_unavailable`, not cached, no trace of the cause. */
function expectJsonUnavailable(name: string, answer: Answer): void {
  const shown = `${name}: ${answer.status} ${answer.text}`;
  expect(answer.status, shown).to.equal(503);
  expect(answer.headers.get('content-type'), shown).to.match(/^application\/json/);
  expect(answer.headers.get('cache-control'), shown).to.include('no-store');
  expect(JSON.parse(answer.text).error, shown).to.equal('temporarily_unavailable');
  expect(answer.text, shown).not.to.match(STACK_FRAME);
}

/** The HTML "try again shortly" page: 503, not cached, no trace of the cause. */
function expectPageUnavailable(name: string, page: Page): void {
  const shown = `${name}: ${page.status} ${page.html}`;
  expect(page.status, shown).to.equal(503);
  expect(page.headers.get('content-type'), shown).to.match(/^text\/html/);
  expect(page.headers.get('cache-control'), shown).to.include('no-store');
  expect(page.html, shown).to.include('Try again shortly');
  expect(page.html, shown).not.to.match(STACK_FRAME);
  expect(() => findForm(page.html), `${name} offers no form to resubmit`).to.throw();
}
