import { expect } from 'chai';
import type { ChildProcess } from 'node:child_process';
import { createUser } from '../../src/domain/users/users.js';
import { signTestToken } from '../helpers/api.js';
import { createTestDatabase, engines, type TestDatabase } from '../helpers/databases.js';
import { eventBody } from '../helpers/fixtures.js';
import { notificationCount, undispatched } from '../helpers/notify.js';
import { exited, spawnEvbook } from '../helpers/processes.js';
import { TestSmtp } from '../helpers/smtp.js';
import { waitFor } from '../helpers/wait.js';

const PUBLIC_URL = 'http://evbook.test';

/** Starts `bin/evbook serve` on a free port; resolves with its URL and its stderr so far. */
async function startServe(env: Record<string, string>) {
  const child = spawnEvbook(['serve'], { EVBOOK_PORT: '0', EVBOOK_PUBLIC_URL: PUBLIC_URL, ...env });
  let stderr = '';
  child.stderr!.on('data', (chunk: string) => (stderr += chunk));
  await waitFor('serve to listen', () => stderr.includes('evbook serve is listening'), 30_000);
  const url = /"url":"([^"]+)"/.exec(stderr)![1]!;
  return { child, url, stderr: () => stderr };
}

async function call(url: string, method: string, path: string, token: string, body?: unknown) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any };
}

async function bookThroughServe(database: TestDatabase, url: string) {
  const knex = database.db.knex;
  const organiser = await createUser(knex, {
    email: `org.${Date.now()}@example.test`,
    name: 'Olga',
    role: 'organiser',
    passwordHash: null,
  });
  const customer = await createUser(knex, {
    email: `cus.${Date.now()}@example.test`,
    name: 'Carl',
    role: 'customer',
    passwordHash: null,
  });
  const orgToken = await signTestToken(database, PUBLIC_URL, organiser);
  const cusToken = await signTestToken(database, PUBLIC_URL, customer);
  const event = await call(url, 'POST', '/v1/events', orgToken, eventBody());
  expect(event.status, JSON.stringify(event.body)).to.equal(201);
  const booking = await call(url, 'POST', '/v1/bookings', cusToken, {
    event_id: event.body.id,
    items: [{ ticket_type_id: event.body.ticket_types[0].id, quantity: 1 }],
  });
  expect(booking.status, JSON.stringify(booking.body)).to.equal(201);
  return { customer, booking: booking.body };
}

for (const dialect of engines()) {
  describe(`evbook serve, embedded notifications [${dialect}]`, function () {
    this.timeout(60_000);
    let database: TestDatabase;
    let child: ChildProcess | undefined;

    before(async () => {
      database = await createTestDatabase(dialect);
    });
    after(async () => database.destroy());
    beforeEach(async () => database.reset());
    afterEach(async () => {
      if (child && child.exitCode === null) child.kill('SIGKILL');
    });

    it('sends the confirmation itself, through the console mailer by default', async () => {
      const serve = await startServe({
        EVBOOK_DATABASE_URL: database.url,
        EVBOOK_OUTBOX_POLL_MS: '50',
      });
      child = serve.child;
      const ready = await fetch(`${serve.url}/readyz`);
      expect(((await ready.json()) as any).checks.queue).to.equal('in-process');

      const { customer } = await bookThroughServe(database, serve.url);
      const line = `email to ${customer.email}: Booking confirmed: Jazz on the Quay`;
      await waitFor('the console line', () => serve.stderr().includes(line));
      await waitFor('the record', async () => (await notificationCount(database.db.knex)) === 1);

      child.kill('SIGTERM');
      expect(await exited(child)).to.equal(0);
      expect(serve.stderr().split(line)).to.have.length(2);
    });

    it('sends through SMTP when EVBOOK_MAIL_URL names a server', async () => {
      const smtp = await TestSmtp.start();
      try {
        const serve = await startServe({
          EVBOOK_DATABASE_URL: database.url,
          EVBOOK_OUTBOX_POLL_MS: '50',
          EVBOOK_MAIL_URL: smtp.url,
        });
        child = serve.child;
        const { customer, booking } = await bookThroughServe(database, serve.url);
        await waitFor('the email', () => smtp.received.length === 1);
        await waitFor(
          'the outbox to drain',
          async () => (await undispatched(database.db.knex)) === 0,
        );
        expect(smtp.received[0]!.to).to.deep.equal([customer.email]);
        expect(smtp.received[0]!.body).to.include(booking.id);
        expect(smtp.received[0]!.body).to.include(`${PUBLIC_URL}/v1/bookings/${booking.id}`);
        child.kill('SIGTERM');
        expect(await exited(child)).to.equal(0);
      } finally {
        await smtp.close();
      }
    });
  });
}

for (const dialect of engines()) {
  describe(`evbook serve killed mid-send, embedded [${dialect}]`, function () {
    this.timeout(60_000);
    let database: TestDatabase;
    let child: ChildProcess | undefined;
    let smtp: TestSmtp;

    before(async () => {
      database = await createTestDatabase(dialect);
    });
    after(async () => database.destroy());
    beforeEach(async () => {
      smtp = await TestSmtp.start();
    });
    afterEach(async () => {
      if (child && child.exitCode === null) child.kill('SIGKILL');
      await smtp.close();
    });

    it('lets another serve deliver once the lease expires, and records the email once', async () => {
      const env = {
        EVBOOK_DATABASE_URL: database.url,
        EVBOOK_OUTBOX_POLL_MS: '50',
        EVBOOK_MAIL_URL: smtp.url,
        EVBOOK_JOB_LOCK_MS: '100',
      };
      smtp.holdNext(1);
      const first = await startServe(env);
      child = first.child;
      const { customer } = await bookThroughServe(database, first.url);
      await waitFor('the first serve to be mid-send', () => smtp.heldCount === 1);
      first.child.kill('SIGKILL');
      expect(await exited(first.child)).to.equal('SIGKILL');
      expect(await notificationCount(database.db.knex)).to.equal(0);

      const second = await startServe(env);
      child = second.child;
      await waitFor('the second serve to deliver', () => smtp.received.length === 1);
      await waitFor('the record', async () => (await notificationCount(database.db.knex)) === 1);
      expect(smtp.received[0]!.to).to.deep.equal([customer.email]);
      expect(smtp.attempts).to.equal(2);
      second.child.kill('SIGTERM');
      expect(await exited(second.child)).to.equal(0);
      expect(smtp.received).to.have.length(1);
    });
  });
}
