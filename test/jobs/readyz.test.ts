import { expect } from 'chai';
import { startServer, type RunningServer } from '../../src/api/server.js';
import { startNotifier } from '../../src/jobs/notifier.js';
import { createLogger } from '../../src/shared/logger.js';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { notifyConfig } from '../helpers/notify.js';
import { freePort } from '../helpers/processes.js';
import { queueJobs } from '../helpers/metrics.js';
import { describeWithRedis, dropPrefix, uniquePrefix } from '../helpers/redis.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';

const logger = createLogger({ level: 'silent' });

describeWithRedis('GET /readyz with a job queue', (redisUrl) => {
  let database: TestDatabase;
  let server: RunningServer | undefined;
  const prefix = uniquePrefix();

  before(async () => {
    database = await createTestDatabase('sqlite');
  });
  after(async () => {
    await dropPrefix(redisUrl, prefix);
    await database.destroy();
  });
  afterEach(async () => server?.close());

  async function start(url: string) {
    const config = notifyConfig(database, {
      EVBOOK_PORT: '0',
      EVBOOK_REDIS_URL: url,
      EVBOOK_QUEUE_PREFIX: prefix,
    });
    server = await startServer(config, logger, {
      migrate: false,
      background: (db) => startNotifier(config, db, logger),
    });
    const response = await fetch(`${server.url}/readyz`);
    return { status: response.status, body: (await response.json()) as any };
  }

  it('reports the queue ready when Redis answers', async () => {
    const ready = await start(redisUrl);
    expect(ready.status).to.equal(200);
    expect(ready.body.checks).to.deep.equal({ database: 'ok', queue: 'ok' });
  });

  it('reports 503 with the queue unreachable when Redis is down', async () => {
    const ready = await start(`redis://127.0.0.1:${await freePort()}`);
    expect(ready.status).to.equal(503);
    expect(ready.body.code).to.equal('not_ready');
    // The checks are not in a 5xx body (problem.ts exposes details on 4xx only).
  });

  it('answers 503 within seconds while Redis accepts connections but never answers; /metrics still answers', async () => {
    const proxy = await TcpProxy.start(redisUrl);
    try {
      const ready = await start(proxy.urlFor(redisUrl));
      expect(ready.status).to.equal(200);

      proxy.swallow();
      const started = Date.now();
      const silent = await fetch(`${server!.url}/readyz`);
      expect(silent.status).to.equal(503);
      expect(((await silent.json()) as { code: string }).code).to.equal('not_ready');
      // A bound against hanging (the check gives up after 1 s), not a speed test.
      expect(Date.now() - started).to.be.below(10_000);

      const metrics = await fetch(`${server!.url}/metrics`);
      expect(metrics.status).to.equal(200);
      // The depth is unknown for that scrape: left out, never reported as 0.
      expect(queueJobs(await metrics.text())).to.deep.equal({
        waiting: undefined,
        active: undefined,
        delayed: undefined,
        failed: undefined,
      });
    } finally {
      await server?.close();
      server = undefined;
      await proxy.close();
    }
  });
});
