import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import type { ChildProcess } from 'node:child_process';
import { Queue } from 'bullmq';
import { queueJobs, sample, scrape } from '../helpers/metrics.js';
import { EVBOOK_BIN, exited, freePort, spawnEvbook } from '../helpers/processes.js';
import { describeWithRedis, dropPrefix, uniquePrefix } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

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

  it('rejects a bad --metrics-port with one line naming the flag (exit 78)', () => {
    const result = evbook(['worker', '--metrics-port', 'ninety'], {
      EVBOOK_REDIS_URL: 'redis://127.0.0.1:6379',
    });
    expect(result.code).to.equal(78);
    expect(result.stderr).to.equal(
      'evbook: --metrics-port must be a whole number (got "ninety")\n',
    );
  });

  it('rejects an EVBOOK_WORKER_METRICS_PORT out of range with one line naming it (exit 78)', () => {
    const result = evbook(['worker'], {
      EVBOOK_REDIS_URL: 'redis://127.0.0.1:6379',
      EVBOOK_WORKER_METRICS_PORT: '70000',
    });
    expect(result.code).to.equal(78);
    expect(result.stderr).to.equal(
      'evbook: EVBOOK_WORKER_METRICS_PORT must be at most 65535 (got "70000")\n',
    );
  });

  it('stops with one line and exit 75 when its metrics port is taken, without a stack trace', async () => {
    const taken = await listenAnywhere();
    try {
      const { port } = taken.address() as { port: number };
      const result = evbook(['worker', '--metrics-port', String(port)], {
        EVBOOK_REDIS_URL: 'redis://127.0.0.1:6379',
        EVBOOK_LOG_LEVEL: 'silent',
      });
      expect(result.code).to.equal(75);
      expect(result.stderr).to.equal(
        `evbook: cannot listen on 127.0.0.1:${port} for metrics (EADDRINUSE)\n`,
      );
    } finally {
      taken.close();
    }
  });
});

/** A TCP server on a free port of 127.0.0.1, holding it. */
async function listenAnywhere(): Promise<Server> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

describeWithRedis('evbook worker --metrics-port', (redisUrl) => {
  let prefix: string;
  let worker: ChildProcess | undefined;
  let queue: Queue | undefined;

  beforeEach(() => {
    prefix = uniquePrefix();
  });
  afterEach(async () => {
    if (worker?.exitCode === null) worker.kill('SIGKILL');
    await queue?.close();
    await dropPrefix(redisUrl, prefix);
  });

  it('serves the job metrics and the live queue depth on the port of the flag, which wins over the variable', async function () {
    this.timeout(60_000);
    // Had the variable won over the flag, the worker would stop on this taken port.
    const taken = await listenAnywhere();
    const { port: takenPort } = taken.address() as { port: number };
    const port = await freePort();
    // A job due in an hour: it stays delayed, and the worker never runs it.
    queue = new Queue('notifications', { connection: { url: redisUrl }, prefix });
    await queue.add('email', { dedupeKey: 'x' }, { delay: 3_600_000 });

    try {
      worker = spawnEvbook(['worker', '--metrics-port', String(port)], {
        EVBOOK_DATABASE_URL: 'sqlite::memory:',
        EVBOOK_REDIS_URL: redisUrl,
        EVBOOK_QUEUE_PREFIX: prefix,
        EVBOOK_WORKER_METRICS_PORT: String(takenPort),
        EVBOOK_LOG_LEVEL: 'silent',
      });
      const url = `http://127.0.0.1:${port}`;
      await waitFor(
        'the worker metrics endpoint',
        () =>
          worker!.exitCode !== null ||
          scrape(url).then(
            () => true,
            () => false,
          ),
        30_000,
      );
      expect(worker.exitCode, worker.stderr?.read()).to.equal(null);

      const text = await scrape(url);
      expect(queueJobs(text)).to.deep.equal({ waiting: 0, active: 0, delayed: 1, failed: 0 });
      for (const kind of ['booking.confirmed', 'event.changed']) {
        const labels = `job="outbox",kind="${kind}"`;
        expect(sample(text, 'evbook_notification_job_failures_total', labels)).to.equal(0);
        expect(sample(text, 'evbook_notification_jobs_exhausted_total', labels)).to.equal(0);
      }
      const email = 'job="emails",kind="event.changed"';
      expect(sample(text, 'evbook_notification_job_failures_total', email)).to.equal(0);
      expect(sample(text, 'evbook_notification_jobs_stalled_total')).to.equal(0);
      expect(sample(text, 'evbook_process_cpu_user_seconds_total')).to.be.a('number');
      // The outbox gauges are serve's: the worker never reads the outbox backlog.
      expect(text).not.to.include('evbook_outbox_pending');

      worker.kill('SIGTERM');
      expect(await exited(worker)).to.equal(0);
    } finally {
      taken.close();
    }
  });
});
