import { expect } from 'chai';
import { TestApi, type TestUser } from '../helpers/api.js';
import { forEachEngine } from '../helpers/databases.js';
import { book, createEvent } from '../helpers/fixtures.js';
import { queueJobs, sample, scrape } from '../helpers/metrics.js';
import { TestSmtp } from '../helpers/smtp.js';
import { waitFor } from '../helpers/wait.js';

/** `evbook serve` in embedded mode: the outbox is the queue, and `serve` runs the jobs. */
forEachEngine('job metrics in embedded mode', (database) => {
  let smtp: TestSmtp;
  let apis: TestApi[];

  beforeEach(async () => {
    smtp = await TestSmtp.start();
    apis = [];
  });
  afterEach(async () => {
    smtp.releaseHeld();
    for (const api of apis) await api.stop();
    await smtp.close();
  });

  /** `serve` with its notifier, sending through the test SMTP server. */
  async function serve(env: Record<string, string>): Promise<TestApi> {
    const api = await TestApi.start(
      database(),
      { EVBOOK_MAIL_URL: smtp.url, EVBOOK_OUTBOX_POLL_MS: '50', ...env },
      { notifications: true },
    );
    apis.push(api);
    return api;
  }

  /** `count` bookings whose outbox rows wait: made through a `serve` that never polls. */
  async function bookWhileNobodySends(count: number): Promise<void> {
    const idle = await serve({ EVBOOK_OUTBOX_POLL_MS: '3600000' });
    const organiser = await idle.user('organiser');
    const customer = await idle.user('customer');
    const event = await createEvent(idle, organiser);
    for (let i = 0; i < count; i++) await bookOne(idle, customer, event);
    await idle.stop();
    apis = [];
  }

  async function bookOne(api: TestApi, customer: TestUser, event: any): Promise<void> {
    const res = await book(api, customer, event.id, [
      { ticket_type_id: event.ticket_types[0].id, quantity: 1 },
    ]);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
  }

  it('shows rows waiting while no dispatcher has come to them, then active while being sent', async () => {
    // A dispatcher that looked once at start and now sleeps for an hour.
    const idle = await serve({ EVBOOK_OUTBOX_POLL_MS: '3600000' });
    const organiser = await idle.user('organiser');
    const customer = await idle.user('customer');
    const event = await createEvent(idle, organiser);
    await bookOne(idle, customer, event);
    await bookOne(idle, customer, event);

    let text = await scrape(idle.url);
    expect(queueJobs(text)).to.deep.equal({ waiting: 2, active: 0, delayed: 0, failed: 0 });
    expect(sample(text, 'evbook_outbox_pending')).to.equal(2);
    await idle.stop();
    apis = [];

    // One that claims both rows at once and is held up sending the first.
    smtp.holdNext(1);
    const busy = await serve({});
    await waitFor('the first send to be held', () => smtp.heldCount === 1);
    text = await scrape(busy.url);
    expect(queueJobs(text)).to.deep.equal({ waiting: 0, active: 2, delayed: 0, failed: 0 });

    smtp.releaseHeld();
    await waitFor('both rows to be delivered', async () => {
      const depth = queueJobs(await scrape(busy.url));
      return Object.values(depth).every((n) => n === 0);
    });
    expect(smtp.received).to.have.length(2);
    text = await scrape(busy.url);
    expect(sample(text, 'evbook_outbox_pending')).to.equal(0);
    expect(
      sample(
        text,
        'evbook_notification_job_failures_total',
        'job="outbox",kind="booking.confirmed"',
      ),
    ).to.equal(0);
  });

  it('keeps the rows of a batch already sent active while a renewal covers the rest', async function () {
    this.timeout(60_000);
    await bookWhileNobodySends(3);

    // A 3 s lease (10 job locks), renewed when more than 1 s passed since the last.
    smtp.holdNext(1);
    const busy = await serve({ EVBOOK_JOB_LOCK_MS: '300' });
    await waitFor('the first send to be held', () => smtp.heldCount === 1);
    // Held past the lease: nothing renewed it, so the whole batch is due again.
    await waitFor(
      'the lease to run out',
      async () => queueJobs(await scrape(busy.url)).waiting === 3,
      30_000,
    );

    // The first email goes; the renewal before the second covers the first too, which
    // is sent but not yet marked done with its batch.
    smtp.holdNext(1);
    smtp.releaseHeld();
    await waitFor('the second send to be held', () => smtp.heldCount === 1);
    expect(queueJobs(await scrape(busy.url))).to.deep.equal({
      waiting: 0,
      active: 3,
      delayed: 0,
      failed: 0,
    });

    smtp.releaseHeld();
    await waitFor('the batch to be delivered', async () => {
      const depth = queueJobs(await scrape(busy.url));
      return Object.values(depth).every((n) => n === 0);
    });
    expect(smtp.received).to.have.length(3);
  });

  it('counts each failed row of a batch sent together, and shows them delayed', async () => {
    await bookWhileNobodySends(3);

    // One claim takes the three rows; two of their emails are refused.
    smtp.failNext(2);
    const busy = await serve({ EVBOOK_JOB_BACKOFF_MS: '3600000' });
    const labels = 'job="outbox",kind="booking.confirmed"';
    await waitFor('one email sent', () => smtp.received.length === 1);
    await waitFor('the batch to be settled', async () => {
      const depth = queueJobs(await scrape(busy.url));
      return depth.active === 0;
    });
    const text = await scrape(busy.url);
    expect(sample(text, 'evbook_notification_job_failures_total', labels)).to.equal(2);
    expect(sample(text, 'evbook_notification_jobs_exhausted_total', labels)).to.equal(0);
    expect(queueJobs(text)).to.deep.equal({ waiting: 0, active: 0, delayed: 2, failed: 0 });
    expect(smtp.attempts).to.equal(3);
  });

  it('counts each failed attempt by cause, shows the row delayed between them, then failed', async () => {
    smtp.failNext(1000);
    const api = await serve({ EVBOOK_JOB_ATTEMPTS: '2', EVBOOK_JOB_BACKOFF_MS: '2000' });
    const organiser = await api.user('organiser');
    const customer = await api.user('customer');
    const event = await createEvent(api, organiser);
    await bookOne(api, customer, event);
    const failures = (text: string) =>
      sample(
        text,
        'evbook_notification_job_failures_total',
        'job="outbox",kind="booking.confirmed"',
      );
    const exhausted = (text: string) =>
      sample(
        text,
        'evbook_notification_jobs_exhausted_total',
        'job="outbox",kind="booking.confirmed"',
      );

    // The first attempt failed; the row backs off for 2 s before the second.
    await waitFor('the first failure', async () => failures(await scrape(api.url)) === 1);
    let text = await scrape(api.url);
    expect(queueJobs(text)).to.deep.equal({ waiting: 0, active: 0, delayed: 1, failed: 0 });
    expect(exhausted(text)).to.equal(0);

    await waitFor('the attempts to run out', async () => exhausted(await scrape(api.url)) === 1);
    text = await scrape(api.url);
    expect(failures(text)).to.equal(2);
    expect(queueJobs(text)).to.deep.equal({ waiting: 0, active: 0, delayed: 0, failed: 1 });
    expect(sample(text, 'evbook_outbox_pending')).to.equal(0);
    expect(sample(text, 'evbook_outbox_failed')).to.equal(1);
    expect(
      sample(text, 'evbook_notification_job_failures_total', 'job="outbox",kind="event.changed"'),
    ).to.equal(0);
    // Embedded mode has no email jobs and no stalled-job detection to report.
    expect(text).not.to.include('job="email"');
    expect(text).not.to.include('evbook_notification_jobs_stalled_total');
    expect(smtp.attempts).to.equal(2);
  });
});
