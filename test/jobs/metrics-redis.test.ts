import { expect } from 'chai';
import type { ChildProcess } from 'node:child_process';
import type { Queue, Worker } from 'bullmq';
import { createMailer } from '../../src/jobs/mailers/create.js';
import { openQueue } from '../../src/jobs/redis.js';
import { startWorker } from '../../src/jobs/worker.js';
import { createLogger } from '../../src/shared/logger.js';
import { TestApi, type TestUser } from '../helpers/api.js';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { book, createEvent } from '../helpers/fixtures.js';
import { queueJobs, sample, scrape } from '../helpers/metrics.js';
import { notifyConfig, undispatched } from '../helpers/notify.js';
import { exited, freePort, spawnEvbook } from '../helpers/processes.js';
import { describeWithRedis, dropPrefix, uniquePrefix } from '../helpers/redis.js';
import { TestSmtp } from '../helpers/smtp.js';
import { waitFor } from '../helpers/wait.js';

const logger = createLogger({ level: 'silent' });

/**
 * Redis mode: `serve` hands the jobs to BullMQ and reports the queue depth; each
 * `evbook worker` counts its own failures on its own `/metrics`. SQLite only: the
 * metrics come from Redis and the worker, not from the database engine.
 */
describeWithRedis('job metrics in Redis mode', (redisUrl) => {
  let database: TestDatabase;
  let smtp: TestSmtp;
  let prefix: string;
  let apis: TestApi[];
  let children: ChildProcess[];
  let cleanups: Array<() => Promise<void>>;

  before(async () => {
    database = await createTestDatabase('sqlite');
  });
  after(async () => database.destroy());
  beforeEach(async () => {
    await database.reset();
    smtp = await TestSmtp.start();
    prefix = uniquePrefix();
    apis = [];
    children = [];
    cleanups = [];
  });
  afterEach(async () => {
    smtp.releaseHeld();
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    for (const cleanup of cleanups) await cleanup();
    for (const api of apis) await api.stop();
    await smtp.close();
    await dropPrefix(redisUrl, prefix);
  });

  /** The settings `serve` and the workers share: the test Redis under its own prefix. */
  function env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      EVBOOK_DATABASE_URL: database.url,
      EVBOOK_REDIS_URL: redisUrl,
      EVBOOK_QUEUE_PREFIX: prefix,
      EVBOOK_MAIL_URL: smtp.url,
      EVBOOK_OUTBOX_POLL_MS: '50',
      EVBOOK_LOG_LEVEL: 'silent',
      ...extra,
    };
  }

  async function serve(extra: Record<string, string> = {}): Promise<TestApi> {
    const api = await TestApi.start(database, env(extra), { notifications: true });
    apis.push(api);
    return api;
  }

  function inProcessWorker(): { worker: Worker; queue: Queue } {
    const config = notifyConfig(database, env());
    const queue = openQueue(config, logger);
    const mailer = createMailer(config, logger);
    const worker = startWorker({ config, db: database.db, queue, mailer, logger });
    cleanups.push(async () => {
      await worker.close(true);
      await queue.close();
      await mailer.close();
    });
    return { worker, queue };
  }

  async function bookOne(api: TestApi, customer: TestUser, event: any): Promise<void> {
    const res = await book(api, customer, event.id, [
      { ticket_type_id: event.ticket_types[0].id, quantity: 1 },
    ]);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
  }

  it('shows on serve the jobs waiting in Redis while no worker runs, then the one being sent', async () => {
    const api = await serve();
    const organiser = await api.user('organiser');
    const customer = await api.user('customer');
    const event = await createEvent(api, organiser);
    await bookOne(api, customer, event);
    await bookOne(api, customer, event);
    await waitFor(
      'the rows to be handed to Redis',
      async () => (await undispatched(database.db.knex)) === 0,
    );

    const text = await scrape(api.url);
    expect(queueJobs(text)).to.deep.equal({ waiting: 2, active: 0, delayed: 0, failed: 0 });
    expect(sample(text, 'evbook_outbox_pending')).to.equal(0);
    // serve runs no job in Redis mode: the workers count the failures.
    expect(text).not.to.include('evbook_notification_job_failures_total');

    smtp.holdNext(1);
    inProcessWorker();
    await waitFor('a send to be held', () => smtp.heldCount === 1);
    await waitFor('one job active', async () => queueJobs(await scrape(api.url)).active === 1);
    smtp.releaseHeld();
    await waitFor('the queue to drain', async () => {
      const depth = queueJobs(await scrape(api.url));
      return Object.values(depth).every((n) => n === 0);
    });
    expect(smtp.received).to.have.length(2);
  });

  it('a worker with a metrics port counts failed attempts and the exhausted job; serve shows it delayed, then failed', async function () {
    this.timeout(60_000);
    smtp.failNext(1000);
    const settings = { EVBOOK_JOB_ATTEMPTS: '2', EVBOOK_JOB_BACKOFF_MS: '2000' };
    const api = await serve(settings);
    const port = await freePort();
    const worker = spawnEvbook(['worker', '--metrics-port', String(port)], env(settings));
    children.push(worker);
    const workerUrl = `http://127.0.0.1:${port}`;
    await waitFor(
      'the worker metrics endpoint',
      () =>
        scrape(workerUrl).then(
          () => true,
          () => false,
        ),
      30_000,
    );

    const organiser = await api.user('organiser');
    const customer = await api.user('customer');
    const event = await createEvent(api, organiser);
    await bookOne(api, customer, event);
    const labels = 'job="outbox",kind="booking.confirmed"';
    const failures = (text: string) =>
      sample(text, 'evbook_notification_job_failures_total', labels);
    const exhausted = (text: string) =>
      sample(text, 'evbook_notification_jobs_exhausted_total', labels);

    await waitFor('the first failure', async () => failures(await scrape(workerUrl)) === 1, 30_000);
    expect(exhausted(await scrape(workerUrl))).to.equal(0);
    await waitFor(
      'the job to back off',
      async () => queueJobs(await scrape(api.url)).delayed === 1,
    );

    await waitFor('the attempts to run out', async () => exhausted(await scrape(workerUrl)) === 1);
    const text = await scrape(workerUrl);
    expect(failures(text)).to.equal(2);
    expect(queueJobs(text)).to.deep.equal({ waiting: 0, active: 0, delayed: 0, failed: 1 });
    expect(queueJobs(await scrape(api.url))).to.deep.equal({
      waiting: 0,
      active: 0,
      delayed: 0,
      failed: 1,
    });
    expect(
      sample(text, 'evbook_notification_job_failures_total', 'job="emails",kind="event.changed"'),
    ).to.equal(0);
    expect(sample(text, 'evbook_notification_jobs_stalled_total')).to.equal(0);
    expect(sample(text, 'evbook_process_cpu_user_seconds_total')).to.be.a('number');
    expect(smtp.attempts).to.equal(2);

    const other = await fetch(`${workerUrl}/v1/events`);
    expect(other.status).to.equal(404);
    expect(other.headers.get('content-type')).to.match(/^application\/problem\+json/);
    expect(((await other.json()) as { code: string }).code).to.equal('not_found');

    worker.kill('SIGTERM');
    expect(await exited(worker)).to.equal(0);
  });
});
