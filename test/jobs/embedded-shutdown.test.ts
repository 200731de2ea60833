import { expect } from 'chai';
import { once } from 'node:events';
import { createTestDatabase, engines, type TestDatabase } from '../helpers/databases.js';
import { seedEventWithHolders } from '../helpers/holders.js';
import { notificationCount, undispatched } from '../helpers/notify.js';
import { recordOutboxRow } from '../helpers/outbox.js';
import { spawnServe, type ServeProcess } from '../helpers/serve-process.js';
import { TestSmtp } from '../helpers/smtp.js';
import { waitFor } from '../helpers/wait.js';

/**
 * `evbook serve` in embedded mode on SIGTERM while emails are being sent: the pass
 * in hand finishes (every email of it sent and recorded, the row marked done), then
 * the process exits 0. Runs the compiled `bin/evbook`.
 */
for (const dialect of engines()) {
  describe(`SIGTERM to evbook serve mid-send [${dialect}]`, function () {
    this.timeout(90_000);
    let database: TestDatabase;
    let smtp: TestSmtp;
    let serve: ServeProcess | undefined;

    before(async () => {
      database = await createTestDatabase(dialect);
      smtp = await TestSmtp.start();
    });
    after(async () => {
      await serve?.stop();
      await smtp.close();
      await database.destroy();
    });

    it('finishes the emails in flight, records them, then exits 0', async () => {
      const { knex } = database.db;
      const holders = 5;
      const seeded = await seedEventWithHolders(knex, holders);
      smtp.holdNext(1);
      serve = await spawnServe(database.url, 30_000, {
        env: { EVBOOK_MAIL_URL: smtp.url, EVBOOK_OUTBOX_POLL_MS: '50' },
      });
      await recordOutboxRow(knex, 'event.changed', {
        event_id: seeded.eventId,
        changes: { venue: { old: 'Stadium', new: 'Arena' } },
      });
      await waitFor('one email held mid-send', () => smtp.heldCount === 1, 30_000);

      const exited = once(serve.child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
      serve.child.kill('SIGTERM');
      // Still sending: the process waits for the email the server has not answered.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(serve.child.exitCode, serve.stderr()).to.equal(null);
      smtp.releaseHeld();

      const [code, signal] = await exited;
      expect({ code, signal }, serve.stderr()).to.deep.equal({ code: 0, signal: null });
      expect(smtp.received).to.have.length(holders);
      expect(await notificationCount(knex)).to.equal(holders);
      expect(await undispatched(knex)).to.equal(0);
    });
  });
}
