import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { verifyPassword } from '../../src/auth/passwords.js';
import { runCli } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { shellQuote, TmuxTerminal } from '../helpers/tmux.js';

const BIN = fileURLToPath(new URL('../../bin/evbook', import.meta.url));

describe('evbook seed [sqlite]', function () {
  this.timeout(60_000);
  let database: TestDatabase;

  beforeEach(async () => {
    database = await createTestDatabase('sqlite');
  });
  afterEach(async () => database.destroy());

  const sizes = ['--organisers', '2', '--customers', '3', '--events', '2', '--bookings', '2'];
  const countOf = async (table: string) =>
    Number(((await database.db.knex(table).count({ n: '*' })) as Array<{ n: number }>)[0]!.n);

  it('creates demo accounts, published events and bookings, and a second run adds nothing', async () => {
    const first = await runCli(['seed', '--database-url', database.url, ...sizes], {});
    expect(first.code, first.stderr).to.equal(0);
    expect(first.stderr).to.equal(''); // no progress bar in a pipe
    expect(first.stdout).to.include('organisers  2 (2 new)');
    expect(first.stdout).to.include('bookings    6 new');

    const counts = async () => ({
      users: await countOf('users'),
      events: await countOf('events'),
      published: Number(
        (
          (await database.db.knex('events').where({ status: 'published' }).count({ n: '*' })) as any
        )[0].n,
      ),
      bookings: await countOf('bookings'),
    });
    expect(await counts()).to.deep.equal({ users: 5, events: 4, published: 4, bookings: 6 });

    const second = await runCli(['seed', '--database-url', database.url, ...sizes], {});
    expect(second.code, second.stderr).to.equal(0);
    expect(second.stdout).to.include('organisers  2 (0 new)');
    expect(second.stdout).to.include('bookings    0 new');
    expect(await counts()).to.deep.equal({ users: 5, events: 4, published: 4, bookings: 6 });

    const customer = await database.db
      .knex('users')
      .where({ email: 'customer1@demo.evbook.test' })
      .first();
    expect(await verifyPassword('demo-password', customer.password_hash)).to.equal(true);
  });

  it('grows to larger sizes without repeating what exists', async () => {
    await runCli(['seed', '--database-url', database.url, ...sizes], {});
    const bigger = await runCli(
      [
        'seed',
        '--database-url',
        database.url,
        '--organisers',
        '3',
        '--customers',
        '3',
        '--events',
        '2',
        '--bookings',
        '2',
      ],
      {},
    );
    expect(bigger.code, bigger.stderr).to.equal(0);
    expect(bigger.stdout).to.include('organisers  3 (1 new)');
    expect(bigger.stdout).to.include('events      6 (2 new)');
    expect(await countOf('events')).to.equal(6);
  });

  it('rejects a bad size as a usage error (64)', async () => {
    const result = await runCli(
      ['seed', '--database-url', database.url, '--customers', 'many'],
      {},
    );
    expect(result.code).to.equal(64);
    expect(result.stderr).to.include('--customers');
  });

  it('shows a progress bar in a terminal', async () => {
    const command = `${shellQuote(process.execPath)} ${shellQuote(BIN)} seed --database-url ${shellQuote(database.url)} ${sizes.join(' ')}; echo EXIT=$?; sleep 60`;
    const tty = new TmuxTerminal(command);
    try {
      const screen = await tty.waitFor(/EXIT=\d+/, 30_000);
      expect(screen).to.include('EXIT=0');
      expect(screen).to.match(/seeding \[[^\]]+\] 15\/15/);
    } finally {
      tty.close();
    }
  });
});
