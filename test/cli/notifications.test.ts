import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { newId } from '../../src/shared/ids.js';
import { forEachEngine } from '../helpers/databases.js';
import { recordOutboxRow } from '../helpers/outbox.js';
import { EVBOOK_BIN } from '../helpers/processes.js';

function evbook(args: string[], databaseUrl: string) {
  const result = spawnSync(process.execPath, [EVBOOK_BIN, ...args], {
    env: { PATH: process.env.PATH, EVBOOK_DATABASE_URL: databaseUrl },
    encoding: 'utf8',
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

forEachEngine('evbook notifications', (database) => {
  async function seed() {
    const knex = database().db.knex;
    const pending = await recordOutboxRow(knex, 'booking.confirmed', { booking_id: newId() });
    const failed = await recordOutboxRow(knex, 'event.changed', { event_id: newId(), changes: {} });
    await knex('outbox')
      .where({ id: failed })
      .update({ failed_at: new Date(), attempts: 8, last_error: 'SMTP 451 try later' });
    await knex('notifications').insert({
      id: newId(),
      dedupe_key: `${newId()}:${newId()}`,
      outbox_id: newId(),
      recipient: 'ann@example.test',
      subject: 'Booking confirmed: Gig',
      sent_at: new Date(),
    });
    return { pending, failed };
  }

  it('lists pending, failed and recently sent notifications', async () => {
    const { pending, failed } = await seed();
    const text = evbook(['notifications'], database().url);
    expect(text.code, text.stderr).to.equal(0);
    expect(text.stdout).to.include('pending (1):').and.include(pending);
    expect(text.stdout)
      .to.include('failed (1):')
      .and.include(failed)
      .and.include('SMTP 451 try later');
    expect(text.stdout)
      .to.include('recently sent (1):')
      .and.include('ann@example.test  Booking confirmed: Gig');

    const json = evbook(['notifications', '--json'], database().url);
    const report = JSON.parse(json.stdout);
    expect(report.pending.map((row: any) => row.outboxId)).to.deep.equal([pending]);
    expect(report.failed[0]).to.include({ source: 'outbox', id: failed, attempts: 8 });
    expect(report.sent[0]).to.include({ recipient: 'ann@example.test' });
  });

  it('--retry makes failed notifications due again with fresh attempts', async () => {
    const { failed } = await seed();
    const result = evbook(['notifications', '--retry'], database().url);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout.trim()).to.equal('re-queued 1 failed notification');
    const row = await database().db.knex('outbox').where({ id: failed }).first();
    expect(row.failed_at).to.equal(null);
    expect(Number(row.attempts)).to.equal(0);
  });
});
