import { expect } from 'chai';
import { deliverEmails, inFlight, SENDS_IN_FLIGHT } from '../../../src/jobs/deliver.js';
import type { MailMessage, Mailer } from '../../../src/jobs/mailers/mailer.js';
import { dedupeKeyOf, type Email } from '../../../src/jobs/names.js';
import { newId } from '../../../src/shared/ids.js';
import { createLogger } from '../../../src/shared/logger.js';
import { forEachEngine } from '../../helpers/databases.js';

describe('inFlight', () => {
  it('runs every item, never more than SENDS_IN_FLIGHT at once', async () => {
    let running = 0;
    let most = 0;
    const done: number[] = [];
    const items = Array.from({ length: 3 * SENDS_IN_FLIGHT + 1 }, (_, i) => i);
    await inFlight(items, async (item) => {
      most = Math.max(most, ++running);
      await new Promise((resolve) => setTimeout(resolve, item % 3));
      running--;
      done.push(item);
    });
    expect(done.sort((a, b) => a - b)).to.deep.equal(items);
    expect(most).to.equal(SENDS_IN_FLIGHT);
  });

  it('does nothing for no items', async () => {
    await inFlight([], async () => {
      throw new Error('called');
    });
  });
});

forEachEngine('deliverEmails', (database) => {
  const outboxId = newId();
  const emails: Email[] = Array.from({ length: 20 }, (_, i) => ({
    dedupeKey: dedupeKeyOf(outboxId, `recipient-${i}`),
    outboxId,
    to: `r${i}@example.test`,
    subject: 'Changed (venue): Gig',
    text: 'Venue: A -> B',
  }));

  /** A mailer that refuses the addresses in `refused`. */
  function mailer(refused: Set<string>, sent: string[]): Mailer {
    return {
      kind: 'console',
      async send(message: MailMessage) {
        await new Promise((resolve) => setImmediate(resolve));
        if (refused.has(message.to)) throw new Error(`refused ${message.to}`);
        sent.push(message.to);
      },
      async close() {},
    };
  }

  it('sends the others past a refused address, records each sent once, then throws', async () => {
    const { knex } = database().db;
    const deps = (refused: Set<string>, sent: string[]) => ({
      knex,
      mailer: mailer(refused, sent),
      logger: createLogger({ level: 'silent' }),
    });
    const first: string[] = [];
    let error: unknown;
    await deliverEmails(deps(new Set(['r3@example.test']), first), emails).catch(
      (e: unknown) => (error = e),
    );
    expect(String(error)).to.match(/refused r3@example.test/);
    expect(first).to.have.length(19);
    expect(await knex('notifications').where({ outbox_id: outboxId }).count({ n: '*' }).first())
      .property('n')
      .to.satisfy((n: unknown) => Number(n) === 19);

    // The retry sends only the one that was refused.
    const second: string[] = [];
    expect(await deliverEmails(deps(new Set(), second), emails)).to.equal(1);
    expect(second).to.deep.equal(['r3@example.test']);
  });
});
