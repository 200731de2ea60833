import { expect } from 'chai';
import { TestApi } from '../helpers/api.js';
import { runCli } from '../helpers/cli.js';
import { CliSession } from '../helpers/cli-session.js';
import { Writable } from 'node:stream';
import { startNotifier } from '../../src/jobs/notifier.js';
import { loadConfig } from '../../src/shared/config.js';
import { createLogger } from '../../src/shared/logger.js';
import { forEachEngine, type TestDatabase } from '../helpers/databases.js';

/** The five-minute walkthrough of docs/cli.md, command for command (login aside). */
forEachEngine('docs/cli.md walkthrough', (database) => {
  let api: TestApi;

  before(async () => {
    api = await TestApi.start(database());
  });
  after(async () => api.stop());

  it('organiser creates and publishes, customer books, the holder is told of the venue change', async function () {
    this.timeout(60_000);
    const olga = await CliSession.for(api, await api.user('organiser', 'Olga Organiser'));
    const carl = await CliSession.for(api, await api.user('customer', 'Carl Customer'));
    const cli = async (session: CliSession, args: string[]) => {
      const result = await runCli(args, session.env());
      expect(result.code, `evbook ${args.join(' ')}: ${result.stderr}`).to.equal(0);
      return result.stdout;
    };
    try {
      const created = await cli(olga, [
        'create-event',
        '--json',
        '--title',
        'Jazz on the Quay',
        '--venue',
        'Harbour Hall, Bristol',
        '--starts',
        '2030-05-01T19:00',
        '--ends',
        '2030-05-01T23:00',
        '--currency',
        'GBP',
        '--ticket',
        'General:2500:200',
        '--ticket',
        'VIP:9000:20:4',
      ]);
      const event = JSON.parse(created).id as string;
      expect(await cli(olga, ['events', 'show', event])).to.include('draft');
      await cli(olga, ['events', 'publish', event]);

      expect(await cli(carl, ['events', 'list', '--venue', 'bristol'])).to.include('£25.00');
      expect(await cli(carl, ['book', event, '--ticket', 'General=2'])).to.include('£50.00');
      expect(await cli(carl, ['bookings', 'list'])).to.include('2× General');

      const updated = await cli(olga, [
        'events',
        'update',
        event,
        '--venue',
        'Colston Hall, Bristol',
      ]);
      expect(updated).to.include('Colston Hall, Bristol');
      expect(await cli(olga, ['attendees', event])).to.include('Carl Customer');

      const notices = await database().db.knex('outbox').where({ kind: 'event.changed' });
      expect(notices).to.have.length(1);
      const payload = notices[0].payload;
      expect(typeof payload === 'string' ? JSON.parse(payload) : payload).to.deep.include({
        event_id: event,
      });

      // What `serve` does in embedded mode: deliver it, with the console mailer.
      const lines = await deliverOutbox(database());
      const notice = lines.find((line) => line.includes('Changed (venue)'));
      expect(notice, lines.join('\n')).to.match(/^email to carl\.customer@example\.test: /);
      expect(notice).to.include('Jazz on the Quay');
    } finally {
      olga.remove();
      carl.remove();
    }
  });
});

/**
 * Runs the embedded notifier of `serve` over the outbox until it is drained, with the
 * console mailer writing into a buffer; returns the log messages it wrote.
 */
async function deliverOutbox(database: TestDatabase): Promise<string[]> {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        lines.push((JSON.parse(line) as { msg: string }).msg);
      }
      done();
    },
  });
  const config = loadConfig({
    EVBOOK_DATABASE_URL: database.url,
    EVBOOK_OUTBOX_POLL_MS: '50',
    EVBOOK_LOG_LEVEL: 'info',
  });
  const notifier = await startNotifier(config, database.db, createLogger({ destination: sink }));
  try {
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const pending = await database.db.knex('outbox').whereNull('dispatched_at').first('id');
      if (!pending && lines.some((line) => line.startsWith('email to'))) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await notifier.close();
  }
  return lines;
}
