import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';

const { version } = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
);

describe('evbook (admin commands)', function () {
  this.timeout(60_000);

  it('prints its version', async () => {
    const run = await runCli(['--version']);
    expect(run.code).to.equal(0);
    expect(run.stdout.trim()).to.equal(version);
  });

  it('lists serve and migrate in its help, with examples in theirs', async () => {
    const help = await runCli(['--help']);
    expect(help.code).to.equal(0);
    expect(help.stdout)
      .to.match(/serve/)
      .and.to.match(/migrate/);
    const serveHelp = await runCli(['serve', '--help']);
    expect(serveHelp.stdout)
      .to.match(/--no-migrate/)
      .and.to.match(/Example/);
  });

  it('exits 64 with a usage message for an unknown command', async () => {
    const run = await runCli(['frobnicate']);
    expect(run.code).to.equal(64);
    expect(run.stderr).to.match(/unknown command 'frobnicate'/);
  });

  it('exits 78 with one line naming a bad setting, before touching anything', async () => {
    const run = await runCli(['serve'], { EVBOOK_PORT: 'seventy' });
    expect(run.code).to.equal(78);
    expect(run.stderr).to.equal('evbook: EVBOOK_PORT must be a whole number (got "seventy")\n');
  });

  it('names the flag when a flag is bad', async () => {
    const run = await runCli(['migrate', 'status', '--database-url', 'mysql://nope']);
    expect(run.code).to.equal(78);
    expect(run.stderr).to.match(/^evbook: --database-url must be sqlite:PATH or postgres/);
    expect(run.stderr.trim().split('\n')).to.have.length(1);
  });

  it('exits 64 for a migrate action it does not know', async () => {
    const run = await runCli(['migrate', 'sideways']);
    expect(run.code).to.equal(64);
    expect(run.stderr).to.match(/sideways/);
  });

  it('exits 75 naming an unreachable database, without its password or a stack trace', async () => {
    const run = await runCli(['serve'], {
      EVBOOK_DATABASE_URL: 'postgres://root:hunter2@127.0.0.1:1/evbook',
    });
    expect(run.code).to.equal(75);
    expect(run.stderr).to.match(
      /^evbook: cannot reach the database at postgres:\/\/root:\*\*\*@127/,
    );
    expect(run.stderr).not.to.include('hunter2');
    expect(run.stderr.trim().split('\n')).to.have.length(1);
  });

  it('exits 75 when the port is taken', async () => {
    const { createServer } = await import('node:net');
    const blocker = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => blocker.once('listening', resolve));
    const port = (blocker.address() as { port: number }).port;
    const dir = mkdtempSync(join(tmpdir(), 'evbook-cli-'));
    try {
      const run = await runCli(['serve', '--port', String(port)], {
        EVBOOK_DATABASE_URL: `sqlite:${join(dir, 'x.sqlite')}`,
      });
      expect(run.code).to.equal(75);
      expect(run.stderr).to.equal(`evbook: cannot listen on 127.0.0.1:${port} (EADDRINUSE)\n`);
    } finally {
      blocker.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
