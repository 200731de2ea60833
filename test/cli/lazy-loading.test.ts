import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TestApi } from '../helpers/api.js';
import { CliSession } from '../helpers/cli-session.js';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js';

const BIN = fileURLToPath(new URL('../../bin/evbook', import.meta.url));
const PRELOAD = fileURLToPath(new URL('../helpers/module-log.mjs', import.meta.url));
const SERVER_STACK =
  /node_modules\/(koa|@koa|knex|oidc-provider|bullmq|ioredis|better-sqlite3|pg|pino)\//;

/** The packages (under node_modules) that `evbook args` loads. */
async function packagesLoadedBy(
  args: string[],
  env: Record<string, string> = {},
): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'evbook-modules-'));
  const log = join(dir, 'modules.log');
  try {
    // Asynchronously: the server under test runs in this process and must keep answering.
    const child = spawn(process.execPath, ['--import', PRELOAD, BIN, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: dir, ...env, EVBOOK_MODULE_LOG: log },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const status = await new Promise((resolve) => child.on('close', resolve));
    expect(status, stderr).to.equal(0);
    const urls = readFileSync(log, 'utf8').trim().split('\n');
    const names = urls.map((url) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1]);
    return [...new Set(names.filter((name): name is string => Boolean(name)))].sort();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('evbook start-up loads only what a command uses', function () {
  this.timeout(30_000);

  it('evbook --help loads commander and nothing else from node_modules', async () => {
    expect(await packagesLoadedBy(['--help'])).to.deep.equal(['commander']);
  });

  describe('a client command against a real server [sqlite]', () => {
    let database: TestDatabase;
    let api: TestApi;
    let session: CliSession;

    before(async () => {
      database = await createTestDatabase('sqlite');
      api = await TestApi.start(database);
      session = await CliSession.for(api, await api.user('customer'));
    });
    after(async () => {
      session.remove();
      await api.stop();
      await database.destroy();
    });

    it('evbook events list never loads the server stack (Koa, Knex, oidc-provider, drivers)', async () => {
      const loaded = await packagesLoadedBy(['events', 'list'], session.env());
      expect(loaded).to.include('commander');
      expect(loaded.filter((name) => SERVER_STACK.test(`node_modules/${name}/`))).to.deep.equal([]);
    });
  });
});
