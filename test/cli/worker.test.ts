import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { EVBOOK_BIN } from '../helpers/processes.js';

function evbook(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [EVBOOK_BIN, ...args], {
    env: { PATH: process.env.PATH, EVBOOK_DATABASE_URL: 'sqlite::memory:', ...env },
    encoding: 'utf8',
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('evbook worker', () => {
  it('refuses to start without EVBOOK_REDIS_URL (exit 78), naming the variable', () => {
    const result = evbook(['worker']);
    expect(result.code).to.equal(78);
    expect(result.stderr).to.match(/^evbook: EVBOOK_REDIS_URL must be set for evbook worker/);
  });

  it('rejects a bad --concurrency as a usage error (exit 64)', () => {
    const result = evbook(['worker', '--concurrency', 'many'], {
      EVBOOK_REDIS_URL: 'redis://127.0.0.1:6379',
    });
    expect(result.code).to.equal(64);
    expect(result.stderr).to.include('--concurrency must be a whole number');
  });

  it('rejects a bad EVBOOK_MAIL_URL with one line naming the variable (exit 78)', () => {
    const result = evbook(['worker'], {
      EVBOOK_REDIS_URL: 'redis://127.0.0.1:6379',
      EVBOOK_MAIL_URL: 'pigeon://loft',
    });
    expect(result.code).to.equal(78);
    expect(result.stderr.trim().split('\n')).to.have.length(1);
    expect(result.stderr).to.include('EVBOOK_MAIL_URL must be console or smtp(s)://host:port');
  });
});
