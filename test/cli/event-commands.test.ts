import { expect } from 'chai';
import { TestApi, type TestUser } from '../helpers/api.js';
import { runCli } from '../helpers/cli.js';
import { CliSession } from '../helpers/cli-session.js';
import { forEachEngine } from '../helpers/databases.js';
import { book, createEvent } from '../helpers/fixtures.js';

forEachEngine('evbook events, create-event, ticket-types, attendees', (database) => {
  let api: TestApi;
  let organiser: TestUser;
  let customer: TestUser;
  let asOrganiser: CliSession;
  let asCustomer: CliSession;

  before(async () => {
    api = await TestApi.start(database());
  });
  after(async () => api.stop());
  beforeEach(async () => {
    organiser = await api.user('organiser');
    customer = await api.user('customer');
    asOrganiser = await CliSession.for(api, organiser);
    asCustomer = await CliSession.for(api, customer);
  });
  afterEach(() => {
    asOrganiser.remove();
    asCustomer.remove();
  });

  const createArgs = [
    'create-event',
    '--title',
    'Jazz on the Quay',
    '--venue',
    'Harbour Hall',
    '--starts',
    '2030-05-01T19:00:00Z',
    '--ends',
    '2030-05-01T23:00:00Z',
    '--currency',
    'eur',
    '--ticket',
    'General:2500:200',
    '--ticket',
    'VIP:9000:20:4',
  ];

  it('creates a draft with ticket types; --json prints exactly the API event', async () => {
    const result = await runCli([...createArgs, '--json'], asOrganiser.env());
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stderr).to.equal('');
    const event = JSON.parse(result.stdout);
    expect(event).to.include({ title: 'Jazz on the Quay', status: 'draft', currency: 'EUR' });
    expect(event.starts_at).to.equal('2030-05-01T19:00:00.000Z');
    expect(
      event.ticket_types.map((t: any) => [t.name, t.price, t.quantity, t.max_per_booking]),
    ).to.deep.equal([
      ['General', 2500, 200, 10],
      ['VIP', 9000, 20, 4],
    ]);
    const stored = await api.request('GET', `/v1/events/${event.id}`, { token: organiser.token });
    expect(event).to.deep.equal(stored.body);
  });

  it('shows prices in the currency and times in the user time zone, without colour in a pipe', async () => {
    const created = JSON.parse((await runCli([...createArgs, '--json'], asOrganiser.env())).stdout);
    const result = await runCli(
      ['events', 'show', created.id],
      asOrganiser.env({ TZ: 'Asia/Tokyo' }),
    );
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.include('Jazz on the Quay');
    expect(result.stdout).to.include('€25.00');
    expect(result.stdout).to.include('€90.00');
    expect(result.stdout).to.match(/2 May 2030,? 04:00/); // 19:00 UTC is 04:00 next day in Tokyo
    expect(result.stdout).to.not.include('\u001b[');
  });

  it('colours for a terminal only: FORCE_COLOR colours, --no-color and NO_COLOR do not', async () => {
    const created = JSON.parse((await runCli([...createArgs, '--json'], asOrganiser.env())).stdout);
    const forced = await runCli(
      ['events', 'show', created.id],
      asOrganiser.env({ FORCE_COLOR: '1' }),
    );
    expect(forced.stdout).to.include('\u001b[');
    const noColor = await runCli(
      ['events', 'show', created.id, '--no-color'],
      asOrganiser.env({ FORCE_COLOR: '1' }),
    );
    expect(noColor.stdout).to.not.include('\u001b[');
    const envNo = await runCli(
      ['events', 'show', created.id],
      asOrganiser.env({ FORCE_COLOR: '1', NO_COLOR: '1' }),
    );
    expect(envNo.stdout).to.not.include('\u001b[');
  });

  it('publishes, then customers see it in the catalogue (table and --json), filtered by venue', async () => {
    const created = JSON.parse((await runCli([...createArgs, '--json'], asOrganiser.env())).stdout);
    const publish = await runCli(['events', 'publish', created.id], asOrganiser.env());
    expect(publish.code, publish.stderr).to.equal(0);
    expect(publish.stdout).to.include('Published "Jazz on the Quay"');

    const list = await runCli(['events', 'list'], asCustomer.env());
    expect(list.code, list.stderr).to.equal(0);
    expect(list.stdout).to.match(/ID\s+TITLE\s+VENUE/);
    expect(list.stdout).to.include(created.id);
    expect(list.stdout).to.include('€25.00');

    const json = await runCli(['events', 'list', '--json', '--venue', 'harbour'], asCustomer.env());
    const events = JSON.parse(json.stdout);
    expect(events.map((e: any) => e.id)).to.deep.equal([created.id]);
    expect(events[0]).to.not.have.nested.property('ticket_types[0].sold');

    const none = await runCli(['events', 'list', '--json', '--venue', 'nowhere'], asCustomer.env());
    expect(JSON.parse(none.stdout)).to.deep.equal([]);
  });

  it('updates the venue and cancels with --yes; cancel without --yes and no terminal exits 64', async () => {
    const created = await createEvent(api, organiser);
    const update = await runCli(
      ['events', 'update', created.id, '--venue', 'Colston Hall', '--json'],
      asOrganiser.env(),
    );
    expect(update.code, update.stderr).to.equal(0);
    expect(JSON.parse(update.stdout).venue).to.equal('Colston Hall');

    const nothing = await runCli(['events', 'update', created.id], asOrganiser.env());
    expect(nothing.code).to.equal(64);
    expect(nothing.stderr).to.include('--venue');

    const refused = await runCli(['events', 'cancel', created.id], asOrganiser.env());
    expect(refused.code).to.equal(64);
    expect(refused.stderr).to.include('--yes');

    const cancel = await runCli(
      ['events', 'cancel', created.id, '--yes', '--json'],
      asOrganiser.env(),
    );
    expect(cancel.code, cancel.stderr).to.equal(0);
    expect(JSON.parse(cancel.stdout).status).to.equal('cancelled');
  });

  it('deletes an event without bookings; with bookings it is a conflict (67) naming the code', async () => {
    const empty = await createEvent(api, organiser);
    const deleted = await runCli(['events', 'delete', empty.id, '--yes'], asOrganiser.env());
    expect(deleted.code, deleted.stderr).to.equal(0);
    expect(
      (await api.request('GET', `/v1/events/${empty.id}`, { token: organiser.token })).status,
    ).to.equal(404);

    const busy = await createEvent(api, organiser);
    await book(api, customer, busy.id, [{ ticket_type_id: busy.ticket_types[0].id, quantity: 1 }]);
    const refused = await runCli(['events', 'delete', busy.id, '--yes'], asOrganiser.env());
    expect(refused.code).to.equal(67);
    expect(refused.stdout).to.equal('');
    expect(refused.stderr.trim().split('\n')).to.have.length(1);
    expect(refused.stderr).to.include('[event_has_bookings]');
  });

  it('reports a missing event as not found (66) and a customer creating events as forbidden (77)', async () => {
    const missing = await runCli(['events', 'show', 'no-such-event'], asOrganiser.env());
    expect(missing.code).to.equal(66);
    expect(missing.stderr).to.include('[not_found]');

    const forbidden = await runCli(createArgs, asCustomer.env());
    expect(forbidden.code).to.equal(77);
    expect(forbidden.stderr).to.include('[forbidden]');
  });

  it('rejects bad input: a malformed --ticket is usage (64), a bad currency is validation (65)', async () => {
    const malformed = await runCli([...createArgs, '--ticket', 'Cheap:free'], asOrganiser.env());
    expect(malformed.code).to.equal(64);
    expect(malformed.stderr).to.include('NAME:PRICE:QUANTITY');

    const invalid = createArgs.map((a) => (a === 'eur' ? 'EURO' : a));
    const result = await runCli(invalid, asOrganiser.env());
    expect(result.code).to.equal(65);
    expect(result.stderr).to.include('[validation_failed]');
    expect(result.stderr).to.include('currency');
  });

  it('adds, updates (by name) and removes ticket types; capacity below sold is a conflict', async () => {
    const event = await createEvent(api, organiser);
    const add = await runCli(
      ['ticket-types', 'add', event.id, '--name', 'Student', '--price', '1500', '--quantity', '50'],
      asOrganiser.env(),
    );
    expect(add.code, add.stderr).to.equal(0);
    expect(add.stdout).to.include('Added ticket type Student');
    expect(add.stdout).to.include('€15.00');

    const update = await runCli(
      ['ticket-types', 'update', event.id, 'student', '--quantity', '60', '--json'],
      asOrganiser.env(),
    );
    expect(update.code, update.stderr).to.equal(0);
    expect(JSON.parse(update.stdout)).to.include({ name: 'Student', quantity: 60, available: 60 });

    const general = event.ticket_types[0];
    await book(api, customer, event.id, [{ ticket_type_id: general.id, quantity: 3 }]);
    const below = await runCli(
      ['ticket-types', 'update', event.id, general.id, '--quantity', '2'],
      asOrganiser.env(),
    );
    expect(below.code).to.equal(67);
    expect(below.stderr).to.include('[quantity_below_sold]');

    const remove = await runCli(
      ['ticket-types', 'remove', event.id, 'Student', '--yes', '--json'],
      asOrganiser.env(),
    );
    expect(remove.code, remove.stderr).to.equal(0);
    expect(JSON.parse(remove.stdout)).to.include({ deleted: true });
    const unknown = await runCli(
      ['ticket-types', 'remove', event.id, 'Student', '--yes'],
      asOrganiser.env(),
    );
    expect(unknown.code).to.equal(64);
    expect(unknown.stderr).to.include('has no ticket type "Student"');
  });

  it('fetches every page of attendees (over 100 bookings), and events list stops at --limit', async function () {
    this.timeout(60_000);
    const event = await createEvent(api, organiser, {
      ticket_types: [{ name: 'General', price: 500, quantity: 500 }],
    });
    for (let i = 0; i < 105; i++) {
      const response = await book(api, customer, event.id, [
        { ticket_type_id: event.ticket_types[0].id, quantity: 1 },
      ]);
      expect(response.status).to.equal(201);
    }
    const json = await runCli(['attendees', event.id, '--json'], asOrganiser.env());
    expect(json.code, json.stderr).to.equal(0);
    const ids = JSON.parse(json.stdout).map((a: any) => a.id);
    expect(new Set(ids).size).to.equal(105);

    await createEvent(api, organiser, { title: 'Second' });
    await createEvent(api, organiser, { title: 'Third' });
    const limited = await runCli(['events', 'list', '--limit', '2', '--json'], asOrganiser.env());
    expect(JSON.parse(limited.stdout)).to.have.length(2);
  });

  it('lists attendees as a table, CSV and JSON', async () => {
    const event = await createEvent(api, organiser);
    await book(api, customer, event.id, [
      { ticket_type_id: event.ticket_types[0].id, quantity: 2 },
      { ticket_type_id: event.ticket_types[1].id, quantity: 1 },
    ]);

    const table = await runCli(['attendees', event.id], asOrganiser.env());
    expect(table.code, table.stderr).to.equal(0);
    expect(table.stdout).to.include(customer.email);
    expect(table.stdout).to.include('€140.00');

    const csv = await runCli(['attendees', event.id, '--format', 'csv'], asOrganiser.env());
    expect(csv.stderr).to.equal(''); // no progress counter in a pipe
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).to.equal(
      'booking_id,status,name,email,ticket_type,quantity,unit_price,currency,booked_at',
    );
    expect(lines).to.have.length(3);
    expect(lines[1]).to.include(`${customer.email},General,2,2500,EUR`);

    const json = await runCli(['attendees', event.id, '--json'], asOrganiser.env());
    const attendees = JSON.parse(json.stdout);
    expect(attendees).to.have.length(1);
    expect(attendees[0].customer.email).to.equal(customer.email);
  });
});
