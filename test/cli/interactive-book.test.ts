import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { TestApi, type TestUser } from '../helpers/api.js';
import { CliSession } from '../helpers/cli-session.js';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { createEvent, inDays } from '../helpers/fixtures.js';
import { shellQuote, TmuxTerminal } from '../helpers/tmux.js';

const BIN = fileURLToPath(new URL('../../bin/evbook', import.meta.url));

describe('evbook book in a terminal (tmux pseudo-terminal) [sqlite]', function () {
  this.timeout(60_000);
  let database: TestDatabase;
  let api: TestApi;
  let customer: TestUser;
  let session: CliSession;
  let terminal: TmuxTerminal | undefined;

  before(async () => {
    database = await createTestDatabase('sqlite');
    api = await TestApi.start(database);
  });
  after(async () => {
    await api.stop();
    await database.destroy();
  });
  beforeEach(async () => {
    await database.reset();
    customer = await api.user('customer');
    session = await CliSession.for(api, customer);
  });
  afterEach(() => {
    terminal?.close();
    session.remove();
  });

  /** Runs evbook in the terminal; prints EXIT=<code> when it ends and stays on screen. */
  function run(args: string[], as: CliSession = session): TmuxTerminal {
    const env = Object.entries({
      ...as.env(),
      PATH: process.env.PATH ?? '',
      HOME: as.home,
      TERM: 'xterm-256color',
    })
      .map(([key, value]) => `${key}=${shellQuote(value)}`)
      .join(' ');
    const command = `env -i ${env} ${shellQuote(process.execPath)} ${shellQuote(BIN)} ${args.map(shellQuote).join(' ')}; echo EXIT=$?; sleep 60`;
    terminal = new TmuxTerminal(command);
    return terminal;
  }

  it('picks the event from the catalogue, asks quantities with prices, confirms the total, books', async () => {
    const organiser = await api.user('organiser');
    await createEvent(api, organiser, {
      title: 'Early Show',
      starts_at: inDays(10),
      ends_at: inDays(10.1),
    });
    const jazz = await createEvent(api, organiser, {
      starts_at: inDays(20),
      ends_at: inDays(20.1),
    });

    const tty = run(['book']);
    await tty.waitFor(/Which event\?[\s\S]*Early Show[\s\S]*Jazz on the Quay/);
    tty.send('Down');
    tty.send('Enter');

    const general = await tty.waitFor(/General at €25\.00 \(100 available, up to 10\): how many\?/);
    expect(general).to.include('Jazz on the Quay');
    tty.send('2', true);
    tty.send('Enter');
    await tty.waitFor(/VIP at €90\.00 \(10 available, up to 4\): how many\?/);
    tty.send('1', true);
    tty.send('Enter');

    await tty.waitFor(/Book for €140\.00 in total\?/);
    tty.send('y', true);
    tty.send('Enter');

    const screen = await tty.waitFor(/EXIT=\d+/);
    expect(screen).to.include('EXIT=0');
    expect(screen).to.include('Booked 3 tickets for "Jazz on the Quay", €140.00.');
    const bookings = (await api.request('GET', '/v1/bookings', { token: customer.token })).body
      .data;
    expect(bookings).to.have.length(1);
    expect(bookings[0]).to.include({ event_id: jazz.id, total: 14000 });
  });

  it('books nothing when the total is declined', async () => {
    const organiser = await api.user('organiser');
    const event = await createEvent(api, organiser);
    const tty = run(['book', event.id, '--ticket', 'General=1']);
    await tty.waitFor(/Book for €25\.00 in total\?/);
    tty.send('n', true);
    tty.send('Enter');
    const screen = await tty.waitFor(/EXIT=\d+/);
    expect(screen).to.include('EXIT=64');
    expect(screen).to.include('Nothing booked.');
    expect(
      (await api.request('GET', '/v1/bookings', { token: customer.token })).body.data,
    ).to.deep.equal([]);
  });

  it('never prompts with --yes, even in a terminal: the missing EVENT is a usage error (64)', async () => {
    const tty = run(['book', '--yes']);
    const screen = await tty.waitFor(/EXIT=\d+/);
    expect(screen).to.include('EXIT=64');
    expect(screen).to.include('Missing EVENT');
  });

  it('create-event asks for the missing fields in a terminal', async () => {
    const organiser = await CliSession.for(api, await api.user('organiser'));
    try {
      const tty = run(
        ['create-event', '--title', 'Prompted Gig', '--ticket', 'General:1000:10'],
        organiser,
      );
      const answers: Array<[RegExp, string]> = [
        [/Venue/, 'Harbour Hall'],
        [/Starts \(e\.g\./, '2030-06-01T20:00'],
        [/Ends/, '2030-06-01T23:00'],
        [/Currency/, 'EUR'],
      ];
      for (const [question, answer] of answers) {
        await tty.waitFor(question);
        tty.send(answer, true);
        tty.send('Enter');
      }
      const screen = await tty.waitFor(/EXIT=\d+/);
      expect(screen).to.include('EXIT=0');
      expect(screen).to.include('Created draft event');
      const events = (await api.request('GET', '/v1/events', { token: organiser.user.token })).body
        .data;
      expect(events.map((e: any) => [e.title, e.venue, e.starts_at])).to.deep.equal([
        ['Prompted Gig', 'Harbour Hall', '2030-06-01T20:00:00.000Z'],
      ]);
    } finally {
      organiser.remove();
    }
  });
});
