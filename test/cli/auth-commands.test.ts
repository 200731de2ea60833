import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestApi } from '../helpers/api.js';
import { CliProcess, runCli } from '../helpers/cli.js';
import { forEachEngine } from '../helpers/databases.js';
import { approveInBrowser, startOAuthApi } from '../helpers/oauth.js';

const PASSWORD = 'a good long password';

forEachEngine('evbook signup, login, whoami, logout', (database) => {
  let api: TestApi;
  let home: string;
  let env: Record<string, string>;

  before(async () => {
    api = await startOAuthApi(database());
  });
  after(async () => api.stop());
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'evbook-cli-'));
    env = { XDG_CONFIG_HOME: home, EVBOOK_API_URL: api.url };
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  const credentialsPath = () => join(home, 'evbook', 'credentials.json');
  const signupArgs = (email: string) => [
    'signup',
    '--email',
    email,
    '--name',
    'Cli Person',
    '--role',
    'organiser',
    '--password',
    PASSWORD,
  ];

  async function login(email: string): Promise<void> {
    const cli = new CliProcess(['login'], env);
    const [, url] = await cli.waitForStderr(/or open (\S+)/);
    await approveInBrowser(url!, { email, password: PASSWORD });
    const result = await cli.done;
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.include(`<${email}> (organiser)`);
  }

  it('signs up with flags and says so; a taken email exits 67 (conflict) with one line', async () => {
    const first = await runCli(signupArgs('cli@example.test'), env);
    expect(first.code, first.stderr).to.equal(0);
    expect(first.stdout).to.include('Signed up Cli Person <cli@example.test> as organiser');

    const again = await runCli(signupArgs('cli@example.test'), env);
    expect(again.code).to.equal(67);
    expect(again.stderr.trim().split('\n')).to.have.length(1);
    expect(again.stderr).to.include('already exists');
  });

  it('refuses to prompt without a terminal: missing flags exit 64', async () => {
    const result = await runCli(['signup', '--email', 'x@example.test'], env);
    expect(result.code).to.equal(64);
    expect(result.stderr).to.include('--name');
  });

  it('logs in through the device flow and keeps credentials private (0600)', async function () {
    this.timeout(40_000);
    await runCli(signupArgs('login@example.test'), env);
    await login('login@example.test');

    expect(statSync(credentialsPath()).mode & 0o777).to.equal(0o600);
    const stored = JSON.parse(readFileSync(credentialsPath(), 'utf8'));
    expect(stored[api.url].refreshToken).to.be.a('string');

    const whoami = await runCli(['whoami'], env);
    expect(whoami.code, whoami.stderr).to.equal(0);
    expect(whoami.stdout).to.include('<login@example.test> (organiser)');
  });

  it('refreshes an expired access token once, even for concurrent commands', async function () {
    this.timeout(40_000);
    await runCli(signupArgs('refresh@example.test'), env);
    await login('refresh@example.test');
    const stored = JSON.parse(readFileSync(credentialsPath(), 'utf8'));
    const before = stored[api.url];
    stored[api.url] = { ...before, expiresAt: Date.now() - 1000 };
    writeFileSync(credentialsPath(), JSON.stringify(stored), { mode: 0o600 });

    const results = await Promise.all([1, 2, 3, 4].map(() => runCli(['whoami'], env)));
    for (const result of results) expect(result.code, result.stderr).to.equal(0);
    const after = JSON.parse(readFileSync(credentialsPath(), 'utf8'))[api.url];
    expect(after.refreshToken).to.not.equal(before.refreshToken);
    expect(after.expiresAt).to.be.greaterThan(Date.now());
  });

  it('logs out by revoking; afterwards whoami says to run evbook login and exits 77', async function () {
    this.timeout(40_000);
    await runCli(signupArgs('logout@example.test'), env);
    await login('logout@example.test');
    const stored = JSON.parse(readFileSync(credentialsPath(), 'utf8'))[api.url];

    const logout = await runCli(['logout'], env);
    expect(logout.code, logout.stderr).to.equal(0);
    const refresh = await fetch(`${api.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: 'evbook-cli',
        refresh_token: stored.refreshToken,
      }),
    });
    expect((await refresh.json()).error).to.equal('invalid_grant');

    const whoami = await runCli(['whoami'], env);
    expect(whoami.code).to.equal(77);
    expect(whoami.stderr).to.include('run evbook login');
  });

  it('says the session expired when the refresh token is no longer valid', async function () {
    this.timeout(40_000);
    await runCli(signupArgs('gone@example.test'), env);
    await login('gone@example.test');
    const stored = JSON.parse(readFileSync(credentialsPath(), 'utf8'));
    stored[api.url] = { ...stored[api.url], expiresAt: 0, refreshToken: 'revoked-or-unknown' };
    writeFileSync(credentialsPath(), JSON.stringify(stored), { mode: 0o600 });

    const whoami = await runCli(['whoami'], env);
    expect(whoami.code).to.equal(77);
    expect(whoami.stderr.trim()).to.equal('evbook: Your session has expired; run evbook login.');
  });
});

forEachEngine('evbook api-clients (unattended use)', (database) => {
  let api: TestApi;
  let home: string;
  before(async () => {
    api = await startOAuthApi(database());
  });
  after(async () => api.stop());
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'evbook-cli-'));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('lets a script act as its owner through an API client, without a login', async () => {
    const owner = await api.user('organiser');
    const created = await api.request('POST', '/v1/api-clients', {
      token: owner.token,
      body: { name: 'ci' },
    });
    const env = {
      XDG_CONFIG_HOME: home,
      EVBOOK_API_URL: api.url,
      EVBOOK_CLIENT_ID: created.body.client_id,
      EVBOOK_CLIENT_SECRET: created.body.client_secret,
    };

    const whoami = await runCli(['whoami', '--json'], env);
    expect(whoami.code, whoami.stderr).to.equal(0);
    expect(JSON.parse(whoami.stdout)).to.include({ id: owner.id, role: 'organiser' });

    const list = await runCli(['api-clients', 'list'], env);
    expect(list.stdout).to.include(created.body.client_id);
    const revoke = await runCli(['api-clients', 'revoke', created.body.client_id], env);
    expect(revoke.code, revoke.stderr).to.equal(0);

    const after = await runCli(['whoami'], env);
    expect(after.code, after.stderr).to.equal(77);
    expect(after.stderr).to.include('API client was refused');
  });
});
