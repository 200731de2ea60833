import { expect } from 'chai';
import { createServer } from 'node:net';
import { TestApi, type TestUser } from '../helpers/api.js';
import { runCli } from '../helpers/cli.js';
import { CliSession } from '../helpers/cli-session.js';
import { forEachEngine } from '../helpers/databases.js';
import { createEvent } from '../helpers/fixtures.js';
import { FlakyProxy } from '../helpers/flaky-proxy.js';

forEachEngine('evbook book, bookings', (database) => {
  let api: TestApi;
  let organiser: TestUser;
  let customer: TestUser;
  let asCustomer: CliSession;
  let event: any;

  before(async () => {
    api = await TestApi.start(database());
  });
  after(async () => api.stop());
  beforeEach(async () => {
    organiser = await api.user('organiser');
    customer = await api.user('customer');
    asCustomer = await CliSession.for(api, customer);
    event = await createEvent(api, organiser);
  });
  afterEach(() => asCustomer.remove());

  const bookingsOf = async (user: TestUser) =>
    (await api.request('GET', '/v1/bookings', { token: user.token })).body.data;

  it('books ticket types by name and by id, and prints the booking with its total', async () => {
    const vip = event.ticket_types[1];
    const result = await runCli(
      ['book', event.id, '--ticket', 'general=2', '--ticket', `${vip.id}=1`],
      asCustomer.env(),
    );
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.include('Booked 3 tickets for "Jazz on the Quay", €140.00.');
    expect(result.stdout).to.match(/General\s+2\s+€25\.00\s+€50\.00/);
    const [booking] = await bookingsOf(customer);
    expect(booking.total).to.equal(14000);
  });

  it('--json prints exactly the created booking', async () => {
    const result = await runCli(
      ['book', event.id, '--ticket', 'VIP=1', '--json'],
      asCustomer.env(),
    );
    expect(result.code, result.stderr).to.equal(0);
    const booking = JSON.parse(result.stdout);
    const stored = await api.request('GET', `/v1/bookings/${booking.id}`, {
      token: customer.token,
    });
    expect(booking).to.deep.equal(stored.body);
  });

  it('never prompts without a terminal: a missing EVENT or --ticket is a usage error (64)', async () => {
    const noEvent = await runCli(['book'], asCustomer.env());
    expect(noEvent.code).to.equal(64);
    expect(noEvent.stderr).to.include('Missing EVENT');

    const noTicket = await runCli(['book', event.id, '--yes'], asCustomer.env());
    expect(noTicket.code).to.equal(64);
    expect(noTicket.stderr).to.include('Missing --ticket');

    const withJson = await runCli(['book', event.id, '--json'], asCustomer.env());
    expect(withJson.code).to.equal(64);
    expect(withJson.stdout).to.equal('');
    expect(withJson.stderr.trim()).to.match(/^evbook: Missing --ticket .* \[missing_flags\]$/);
    expect(await bookingsOf(customer)).to.deep.equal([]);
  });

  it('refuses too many per booking (65), says sold out (67) with the code, names the known ticket types', async () => {
    const soldOut = await runCli(
      ['book', event.id, '--ticket', 'VIP=4', '--ticket', 'VIP=4', '--ticket', 'VIP=3'],
      asCustomer.env(),
    );
    expect(soldOut.code).to.equal(65); // 11 in one booking breaks max_per_booking: validation
    expect(soldOut.stderr).to.include('[validation_failed]');

    for (let i = 0; i < 2; i++) {
      const ok = await runCli(['book', event.id, '--ticket', 'VIP=4'], asCustomer.env());
      expect(ok.code, ok.stderr).to.equal(0);
    }
    const none = await runCli(['book', event.id, '--ticket', 'VIP=4'], asCustomer.env());
    expect(none.code).to.equal(67);
    expect(none.stderr.trim().split('\n')).to.have.length(1);
    expect(none.stderr).to.include('[sold_out]');

    const unknown = await runCli(['book', event.id, '--ticket', 'Balcony=1'], asCustomer.env());
    expect(unknown.code).to.equal(64);
    expect(unknown.stderr).to.include('General, VIP');
  });

  it('lists, shows and cancels bookings (human and --json)', async () => {
    const made = JSON.parse(
      (await runCli(['book', event.id, '--ticket', 'General=2', '--json'], asCustomer.env()))
        .stdout,
    );

    const list = await runCli(['bookings', 'list'], asCustomer.env());
    expect(list.code, list.stderr).to.equal(0);
    expect(list.stdout).to.include(made.id);
    expect(list.stdout).to.include('2× General');
    expect(list.stdout).to.include('€50.00');

    const show = await runCli(['bookings', 'show', made.id], asCustomer.env());
    expect(show.code, show.stderr).to.equal(0);
    expect(show.stdout).to.include('Jazz on the Quay');
    expect(show.stdout).to.include('confirmed');

    const refuse = await runCli(['bookings', 'cancel', made.id], asCustomer.env());
    expect(refuse.code).to.equal(64);
    const cancel = await runCli(
      ['bookings', 'cancel', made.id, '--yes', '--json'],
      asCustomer.env(),
    );
    expect(cancel.code, cancel.stderr).to.equal(0);
    expect(JSON.parse(cancel.stdout)).to.include({ id: made.id, status: 'cancelled' });

    const filtered = await runCli(
      ['bookings', 'list', '--status', 'confirmed', '--json'],
      asCustomer.env(),
    );
    expect(JSON.parse(filtered.stdout)).to.deep.equal([]);

    const other = await CliSession.for(api, await api.user('customer'));
    const notYours = await runCli(['bookings', 'show', made.id], other.env());
    other.remove();
    expect(notYours.code).to.equal(66);
  });

  it('an organiser booking is refused with 77 (forbidden)', async () => {
    const asOrganiser = await CliSession.for(api, organiser);
    const result = await runCli(['book', event.id, '--ticket', 'General=1'], asOrganiser.env());
    asOrganiser.remove();
    expect(result.code).to.equal(77);
    expect(result.stderr).to.include('[forbidden]');
  });

  it('says which URL it tried when the server cannot be reached (75)', async () => {
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}`;
    const offline = await CliSession.for(api, customer, url);
    const result = await runCli(['events', 'list'], offline.env());
    offline.remove();
    expect(result.code).to.equal(75);
    expect(result.stderr.trim()).to.equal(`evbook: Cannot reach the evbook API at ${url}.`);
  });

  it('retries a booking whose connection dropped with the same Idempotency-Key: one booking', async function () {
    this.timeout(30_000);
    const proxy = await FlakyProxy.start(api.url, /^POST \/v1\/bookings /);
    const flaky = await CliSession.for(api, customer, proxy.url);
    try {
      const result = await runCli(
        ['book', event.id, '--ticket', 'General=2', '--json'],
        flaky.env(),
      );
      expect(result.code, result.stderr).to.equal(0);
      expect(proxy.dropped).to.equal(1);
      expect(proxy.requests.filter((line) => line.startsWith('POST /v1/bookings'))).to.have.length(
        2,
      );
      expect(result.stderr).to.include('retrying (1/3)');
      const [first, second] = proxy.idempotencyKeys;
      expect(proxy.idempotencyKeys).to.have.length(2);
      expect(first).to.match(/^[0-9a-f-]{36}$/);
      expect(second).to.equal(first);

      const booking = JSON.parse(result.stdout);
      const bookings = await bookingsOf(customer);
      expect(bookings.map((b: any) => b.id)).to.deep.equal([booking.id]);
      const stored = await api.request('GET', `/v1/events/${event.id}`, { token: organiser.token });
      expect(stored.body.ticket_types[0].sold).to.equal(2);
    } finally {
      flaky.remove();
      await proxy.stop();
    }
  });
});

/** A port nothing listens on (bound, then released). */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
