import { expect } from 'chai';
import type { ChildProcess } from 'node:child_process';
import type { Queue, Worker } from 'bullmq';
import { createMailer } from '../../src/jobs/mailers/create.js';
import type { Mailer } from '../../src/jobs/mailers/mailer.js';
import { startNotifier, type Notifier } from '../../src/jobs/notifier.js';
import { openQueue } from '../../src/jobs/redis.js';
import { EMAILS_PER_JOB, JOB_NAMES, dedupeKeyOf } from '../../src/jobs/names.js';
import { startWorker } from '../../src/jobs/worker.js';
import { newId } from '../../src/shared/ids.js';
import type { Config } from '../../src/shared/config.js';
import { createLogger } from '../../src/shared/logger.js';
import { TestApi, type TestUser } from '../helpers/api.js';
import { forEachEngine } from '../helpers/databases.js';
import { book, createEvent, inDays } from '../helpers/fixtures.js';
import { notificationCount, notifyConfig, undispatched } from '../helpers/notify.js';
import { exited, freePort, spawnEvbook, startRedisServer } from '../helpers/processes.js';
import { seedEventWithHolders } from '../helpers/holders.js';
import { recordOutboxRow } from '../helpers/outbox.js';
import { describeWithRedis, dropPrefix, uniquePrefix } from '../helpers/redis.js';
import { TestSmtp } from '../helpers/smtp.js';
import { waitFor } from '../helpers/wait.js';

const logger = createLogger({ level: 'silent' });

/** An in-process `evbook worker`. */
interface InProcessWorker {
  worker: Worker;
  queue: Queue;
  mailer: Mailer;
}

describeWithRedis('notifications on BullMQ', (redisUrl) => {
  forEachEngine('notifications on BullMQ', (database) => {
    let api: TestApi;
    let smtp: TestSmtp;
    let prefixes: string[];
    let notifiers: Notifier[];
    let workers: InProcessWorker[];
    let children: ChildProcess[];

    before(async () => {
      api = await TestApi.start(database());
    });
    after(async () => api.stop());

    beforeEach(async () => {
      smtp = await TestSmtp.start();
      prefixes = [];
      notifiers = [];
      workers = [];
      children = [];
    });
    afterEach(async () => {
      for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
      for (const { worker, queue, mailer } of workers) {
        await worker.close(true);
        await queue.close();
        await mailer.close();
      }
      for (const notifier of notifiers) await notifier.close();
      await smtp.close();
      for (const prefix of prefixes) await dropPrefix(redisUrl, prefix);
    });

    const knex = () => database().db.knex;

    function config(env: Record<string, string> = {}): Readonly<Config> {
      const prefix = uniquePrefix();
      prefixes.push(prefix);
      return notifyConfig(database(), {
        EVBOOK_REDIS_URL: redisUrl,
        EVBOOK_QUEUE_PREFIX: prefix,
        EVBOOK_MAIL_URL: smtp.url,
        EVBOOK_JOB_LOCK_MS: '1000',
        ...env,
      });
    }

    async function startServeSide(cfg: Readonly<Config>): Promise<Notifier> {
      const notifier = await startNotifier(cfg, database().db, logger);
      notifiers.push(notifier);
      return notifier;
    }

    function startInProcessWorker(cfg: Readonly<Config>): InProcessWorker {
      const queue = openQueue(cfg, logger);
      const mailer = createMailer(cfg, logger);
      const worker = startWorker({
        config: cfg,
        db: database().db,
        queue,
        mailer,
        logger,
        concurrency: 4,
      });
      const started = { worker, queue, mailer };
      workers.push(started);
      return started;
    }

    async function bookOne(customer: TestUser, event: any) {
      const res = await book(api, customer, event.id, [
        { ticket_type_id: event.ticket_types[0].id, quantity: 1 },
      ]);
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      return res.body;
    }

    async function queueIdle(queue: Queue): Promise<void> {
      await waitFor('the queue to be idle', async () => {
        const counts = await queue.getJobCounts('wait', 'active', 'delayed', 'prioritized');
        return Object.values(counts).every((n) => n === 0);
      });
    }

    it('sends each email once per cause and recipient, one notice per holder', async () => {
      const cfg = config();
      await startServeSide(cfg);
      const { queue } = startInProcessWorker(cfg);
      const organiser = await api.user('organiser');
      const [alice, bob] = [await api.user('customer'), await api.user('customer')];
      const event = await createEvent(api, organiser);
      await bookOne(alice, event);
      await bookOne(alice, event);
      await bookOne(bob, event);
      const patched = await api.request('PATCH', `/v1/events/${event.id}`, {
        token: organiser.token,
        body: { starts_at: inDays(40), ends_at: inDays(40.1) },
      });
      expect(patched.status, JSON.stringify(patched.body)).to.equal(200);

      await waitFor('five emails', () => smtp.received.length === 5);
      await waitFor('the outbox to drain', async () => (await undispatched(knex())) === 0);
      await queueIdle(queue);
      const notices = smtp.received.filter((mail) => mail.subject.startsWith('Changed'));
      expect(notices.map((mail) => mail.to[0]).sort()).to.deep.equal(
        [alice.email, bob.email].sort(),
      );
      expect(notices[0]!.subject).to.equal('Changed (starts, ends): Jazz on the Quay');
      expect(notices[0]!.body).to.match(/Starts: .+ -> .+/);

      // Dispatching every row again (a serve that crashed before marking them) adds no job.
      const before = await queue.getJobCounts('completed', 'failed');
      await knex()('outbox').update({ dispatched_at: null });
      await waitFor('the outbox to drain again', async () => (await undispatched(knex())) === 0);
      await queueIdle(queue);
      expect(await queue.getJobCounts('completed', 'failed')).to.deep.equal(before);
      expect(smtp.received).to.have.length(5);
      expect(await notificationCount(knex())).to.equal(5);
    });

    it('fans a change out in jobs of EMAILS_PER_JOB emails; a failed send retries only the unsent', async function () {
      this.timeout(60_000);
      const holders = EMAILS_PER_JOB + 5;
      const seeded = await seedEventWithHolders(knex(), holders);
      smtp.failNext(3);
      const cfg = config();
      await startServeSide(cfg);
      const { queue } = startInProcessWorker(cfg);
      await recordOutboxRow(knex(), 'event.changed', {
        event_id: seeded.eventId,
        changes: { venue: { old: 'Stadium', new: 'Arena' } },
      });

      await waitFor('every holder told', async () => (await notificationCount(knex())) === holders);
      await queueIdle(queue);
      const jobs = await queue.getJobs(['completed']);
      const runs = jobs.filter((job) => job.name === JOB_NAMES.emails);
      expect(runs.map((job) => job.data.emails.length).sort((a, b) => a - b)).to.deep.equal([
        5,
        EMAILS_PER_JOB,
      ]);
      // The three refused sends were retried, and nothing else was sent twice.
      expect(runs.some((job) => job.attemptsMade > 1)).to.equal(true);
      expect(smtp.attempts).to.equal(holders + 3);
      expect(new Set(smtp.received.map((mail) => mail.to[0])).size).to.equal(holders);
      expect(smtp.received).to.have.length(holders);

      // Expanding the same change again (its row dispatched anew) adds no job.
      const before = await queue.getJobCounts('completed', 'failed');
      await knex()('outbox').update({ dispatched_at: null });
      await waitFor('the outbox to drain again', async () => (await undispatched(knex())) === 0);
      await queueIdle(queue);
      expect(await queue.getJobCounts('completed', 'failed')).to.deep.equal(before);
    });

    it('still sends a single-email job queued by an earlier version', async () => {
      const cfg = config();
      const { queue } = startInProcessWorker(cfg);
      const customer = await api.user('customer');
      const outboxId = await recordOutboxRow(knex(), 'event.changed', { event_id: newId() });
      await knex()('outbox').update({ dispatched_at: new Date() });
      const email = {
        dedupeKey: dedupeKeyOf(outboxId, customer.id),
        outboxId,
        to: customer.email,
        subject: 'Changed (venue): Old job',
        text: 'Venue: Stadium -> Arena',
      };
      // Earlier builds named such a job after its dedupe key, `:` made a `.`.
      await queue.add(JOB_NAMES.email, email, { jobId: email.dedupeKey.replace(':', '.') });
      await waitFor('the email', () => smtp.received.length === 1);
      await waitFor('its record', async () => (await notificationCount(knex())) === 1);
      expect(smtp.received[0]!.subject).to.equal('Changed (venue): Old job');
    });

    it('retries a mailer that fails twice with exponential back-off, then sends once', async () => {
      smtp.failNext(2);
      const cfg = config();
      await startServeSide(cfg);
      const { queue } = startInProcessWorker(cfg);
      const organiser = await api.user('organiser');
      const customer = await api.user('customer');
      const event = await createEvent(api, organiser);
      await bookOne(customer, event);

      await waitFor('the confirmation', () => smtp.received.length === 1);
      await queueIdle(queue);
      const outbox = await knex()('outbox').first('id');
      const job = await queue.getJob(outbox.id);
      expect(await job!.getState()).to.equal('completed');
      expect(job!.attemptsMade).to.equal(3);
      expect(job!.opts.backoff).to.deep.equal({ type: 'exponential', delay: 100 });
      expect(smtp.attempts).to.equal(3);
      expect(smtp.received).to.have.length(1);
      expect(await notificationCount(knex())).to.equal(1);
    });

    it('keeps a job that used up its attempts as failed; --retry sends it', async () => {
      smtp.failNext(1000);
      const cfg = config({ EVBOOK_JOB_ATTEMPTS: '2' });
      await startServeSide(cfg);
      const { queue } = startInProcessWorker(cfg);
      const organiser = await api.user('organiser');
      const customer = await api.user('customer');
      const event = await createEvent(api, organiser);
      await bookOne(customer, event);
      await waitFor('the failure', async () => (await queue.getJobCounts('failed')).failed === 1);

      smtp.failNext(0);
      const { notificationsReport, retryFailed } = await import('../../src/jobs/admin.js');
      const report = await notificationsReport(database().db, queue);
      expect(report.failed).to.have.length(1);
      expect(report.failed[0]).to.include({ source: 'job', kind: 'outbox', attempts: 2 });
      expect(await retryFailed(database().db, queue)).to.equal(1);
      await waitFor('the confirmation', () => smtp.received.length === 1);
      await waitFor('the record', async () => (await notificationCount(knex())) === 1);
      await queueIdle(queue);
      expect(smtp.received).to.have.length(1);
    });

    it('takes bookings while Redis is down and sends their emails once it is back', async function () {
      this.timeout(60_000);
      const port = await freePort();
      const cfg = config({ EVBOOK_REDIS_URL: `redis://127.0.0.1:${port}` });
      const notifier = await startServeSide(cfg);
      const organiser = await api.user('organiser');
      const customer = await api.user('customer');
      const event = await createEvent(api, organiser);
      await bookOne(customer, event);
      await bookOne(customer, event);
      let failure: unknown;
      await notifier.checkQueue!().catch((error: unknown) => (failure = error));
      expect(failure).to.be.instanceOf(Error);
      expect(await undispatched(knex())).to.equal(2);

      const redis = await startRedisServer(port);
      children.push(redis);
      startInProcessWorker(cfg);
      await waitFor('both confirmations', () => smtp.received.length === 2, 30_000);
      await waitFor('both records', async () => (await notificationCount(knex())) === 2);
      expect(await undispatched(knex())).to.equal(0);
      expect(smtp.received).to.have.length(2);
      await notifier.checkQueue!();
    });

    it('redelivers the job of a worker killed mid-send, and records the email once', async function () {
      this.timeout(60_000);
      const cfg = config();
      const env = {
        EVBOOK_DATABASE_URL: database().url,
        EVBOOK_REDIS_URL: redisUrl,
        EVBOOK_QUEUE_PREFIX: cfg.queuePrefix,
        EVBOOK_MAIL_URL: smtp.url,
        EVBOOK_JOB_LOCK_MS: '1000',
        EVBOOK_LOG_LEVEL: 'silent',
      };
      smtp.holdNext(1);
      await startServeSide(cfg);
      const first = spawnEvbook(['worker'], env);
      children.push(first);
      const organiser = await api.user('organiser');
      const customer = await api.user('customer');
      const event = await createEvent(api, organiser);
      await bookOne(customer, event);

      await waitFor('the first worker to be mid-send', () => smtp.heldCount === 1, 30_000);
      first.kill('SIGKILL');
      expect(await exited(first)).to.equal('SIGKILL');
      expect(await notificationCount(knex())).to.equal(0);

      const second = spawnEvbook(['worker'], env);
      children.push(second);
      await waitFor('the second worker to deliver', () => smtp.received.length === 1, 30_000);
      await waitFor('the record', async () => (await notificationCount(knex())) === 1);
      expect(smtp.attempts).to.equal(2);
      second.kill('SIGTERM');
      expect(await exited(second)).to.equal(0);
      expect(await notificationCount(knex())).to.equal(1);
    });

    it('finishes the job in hand on SIGTERM, then exits 0', async function () {
      this.timeout(60_000);
      const cfg = config();
      smtp.holdNext(1);
      await startServeSide(cfg);
      const worker = spawnEvbook(['worker', '--concurrency', '2'], {
        EVBOOK_DATABASE_URL: database().url,
        EVBOOK_REDIS_URL: redisUrl,
        EVBOOK_QUEUE_PREFIX: cfg.queuePrefix,
        EVBOOK_MAIL_URL: smtp.url,
        EVBOOK_LOG_LEVEL: 'silent',
      });
      children.push(worker);
      const organiser = await api.user('organiser');
      const customer = await api.user('customer');
      const event = await createEvent(api, organiser);
      await bookOne(customer, event);
      await waitFor('the worker to be mid-send', () => smtp.heldCount === 1, 30_000);

      worker.kill('SIGTERM');
      const exit = exited(worker);
      smtp.releaseHeld();
      expect(await exit).to.equal(0);
      expect(smtp.received).to.have.length(1);
      expect(await notificationCount(knex())).to.equal(1);
    });
  });
});
