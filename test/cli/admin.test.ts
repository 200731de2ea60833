import { expect } from 'chai';
import { readFileSync } from 'node:fs';
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
});
