import { expect } from 'chai';
import { startNotifier, type Notifier } from '../../src/jobs/notifier.js';
import { createLogger } from '../../src/shared/logger.js';
import { TestApi } from '../helpers/api.js';
import { forEachEngine } from '../helpers/databases.js';
import { book, createEvent } from '../helpers/fixtures.js';
import { notificationCount, notifyConfig, undispatched } from '../helpers/notify.js';
import { TestSmtp } from '../helpers/smtp.js';
import { waitFor } from '../helpers/wait.js';

const logger = createLogger({ level: 'silent' });

forEachEngine('notifications in embedded mode (SMTP mailer)', (database) => {
  let api: TestApi;
  let smtp: TestSmtp;
  let notifiers: Notifier[];

  before(async () => {
    api = await TestApi.start(database());
  });
  after(async () => api.stop());

  beforeEach(async () => {
    smtp = await TestSmtp.start();
    notifiers = [
      await startNotifier(
        notifyConfig(database(), { EVBOOK_MAIL_URL: smtp.url }),
        database().db,
        logger,
      ),
    ];
  });
  afterEach(async () => {
    for (const notifier of notifiers) await notifier.close();
    await smtp.close();
  });

  const knex = () => database().db.knex;
  const drained = () =>
    waitFor('the outbox to drain', async () => (await undispatched(knex())) === 0);

  async function bookOne(customer: Awaited<ReturnType<TestApi['user']>>, event: any) {
    const res = await book(api, customer, event.id, [
      { ticket_type_id: event.ticket_types[0].id, quantity: 2 },
    ]);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body;
  }

  it('emails the customer once when a booking is confirmed and once when it is cancelled', async () => {
    const organiser = await api.user('organiser');
    const customer = await api.user('customer');
    const event = await createEvent(api, organiser);
    const booking = await bookOne(customer, event);
    await waitFor('the confirmation', () => smtp.received.length === 1);

    const cancelled = await api.request('POST', `/v1/bookings/${booking.id}/cancel`, {
      token: customer.token,
    });
    expect(cancelled.status).to.equal(200);
    await waitFor('the cancellation notice', () => smtp.received.length === 2);
    await drained();

    const [confirmation, cancellation] = smtp.received;
    expect(confirmation!.to).to.deep.equal([customer.email]);
    expect(confirmation!.subject).to.equal('Booking confirmed: Jazz on the Quay');
    expect(confirmation!.body)
      .to.include(booking.id)
      .and.include('2 x General')
      .and.include('Harbour Hall');
    expect(cancellation!.to).to.deep.equal([customer.email]);
    expect(cancellation!.subject).to.equal('Booking cancelled: Jazz on the Quay');
    expect(cancellation!.body).to.include(booking.id);
    expect(await notificationCount(knex())).to.equal(2);
  });

  it('sends each holder one notice naming old and new values, however many bookings they hold', async () => {
    const organiser = await api.user('organiser');
    const [alice, bob] = [await api.user('customer'), await api.user('customer')];
    const event = await createEvent(api, organiser);
    const first = await bookOne(alice, event);
    const second = await bookOne(alice, event);
    await bookOne(bob, event);
    await waitFor('three confirmations', () => smtp.received.length === 3);

    const patched = await api.request('PATCH', `/v1/events/${event.id}`, {
      token: organiser.token,
      body: { venue: 'Dock Shed', title: 'Jazz on the Pier' },
    });
    expect(patched.status, JSON.stringify(patched.body)).to.equal(200);
    await waitFor('two notices', () => smtp.received.length === 5);
    await drained();

    const notices = smtp.received.filter((mail) => mail.subject.startsWith('Changed'));
    expect(notices.map((mail) => mail.to[0]).sort()).to.deep.equal([alice.email, bob.email].sort());
    const toAlice = notices.find((mail) => mail.to[0] === alice.email)!;
    expect(toAlice.subject).to.equal('Changed (title, venue): Jazz on the Pier');
    expect(toAlice.body).to.include('Venue: Harbour Hall -> Dock Shed');
    expect(toAlice.body).to.include('Title: Jazz on the Quay -> Jazz on the Pier');
    expect(toAlice.body).to.include(first.id).and.include(second.id);
    expect(await notificationCount(knex())).to.equal(5);
  });

  it('tells every holder once when the event is cancelled', async () => {
    const organiser = await api.user('organiser');
    const customer = await api.user('customer');
    const event = await createEvent(api, organiser);
    await bookOne(customer, event);
    await bookOne(customer, event);
    const patched = await api.request('PATCH', `/v1/events/${event.id}`, {
      token: organiser.token,
      body: { status: 'cancelled' },
    });
    expect(patched.status, JSON.stringify(patched.body)).to.equal(200);
    await waitFor('the notice', () =>
      smtp.received.some((mail) => mail.subject.startsWith('Cancelled')),
    );
    await drained();
    const notices = smtp.received.filter((mail) => mail.subject.startsWith('Cancelled'));
    expect(notices).to.have.length(1);
    expect(notices[0]!.subject).to.equal('Cancelled: Jazz on the Quay');
  });

  it('sends nothing when only the description changes', async () => {
    const organiser = await api.user('organiser');
    const customer = await api.user('customer');
    const event = await createEvent(api, organiser);
    await bookOne(customer, event);
    await waitFor('the confirmation', () => smtp.received.length === 1);

    const patched = await api.request('PATCH', `/v1/events/${event.id}`, {
      token: organiser.token,
      body: { description: 'Now with a brass band.' },
    });
    expect(patched.status).to.equal(200);
    await drained();

    expect(
      await knex()('outbox').where('kind', 'like', 'event.%').count({ n: '*' }).first(),
    ).to.satisfy((row: { n: unknown }) => Number(row.n) === 0);
    expect(smtp.received).to.have.length(1);
    expect(await notificationCount(knex())).to.equal(1);
  });

  it('retries a mailer that fails twice with back-off, then sends once', async () => {
    smtp.failNext(2);
    const organiser = await api.user('organiser');
    const customer = await api.user('customer');
    const event = await createEvent(api, organiser);
    await bookOne(customer, event);
    await waitFor('the confirmation', () => smtp.received.length === 1);
    await drained();

    expect(smtp.attempts).to.equal(3);
    expect(smtp.received).to.have.length(1);
    const row = await knex()('outbox').first('attempts', 'dispatched_at', 'failed_at');
    expect(Number(row.attempts)).to.equal(2);
    expect(row.dispatched_at).to.not.equal(null);
    expect(row.failed_at).to.equal(null);
    expect(await notificationCount(knex())).to.equal(1);
  });

  it('keeps a notification as failed once its attempts are used up', async () => {
    smtp.failNext(1000);
    const organiser = await api.user('organiser');
    const customer = await api.user('customer');
    const event = await createEvent(api, organiser);
    await bookOne(customer, event);
    await waitFor(
      'the failure',
      async () => (await knex()('outbox').whereNotNull('failed_at').first()) !== undefined,
    );

    const row = await knex()('outbox').first('attempts', 'last_error', 'dispatched_at');
    expect(Number(row.attempts)).to.equal(5);
    expect(row.last_error).to.include('451');
    expect(row.dispatched_at).to.equal(null);
    expect(smtp.received).to.have.length(0);
  });

  it('sends each email once with several dispatchers on one database', async () => {
    const config = notifyConfig(database(), { EVBOOK_MAIL_URL: smtp.url });
    notifiers.push(
      await startNotifier(config, database().db, logger),
      await startNotifier(config, database().db, logger),
    );
    const organiser = await api.user('organiser');
    const event = await createEvent(api, organiser);
    const customers = await Promise.all(Array.from({ length: 8 }, () => api.user('customer')));
    for (const customer of customers) await bookOne(customer, event);
    await waitFor('eight confirmations', () => smtp.received.length >= 8);
    await drained();

    expect(smtp.received).to.have.length(8);
    expect(new Set(smtp.received.map((mail) => mail.to[0])).size).to.equal(8);
    expect(await notificationCount(knex())).to.equal(8);
  });
});
