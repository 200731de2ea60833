import { expect } from 'chai';
import { FAN_OUT_PAGE_SIZE, handleOutbox } from '../../src/jobs/handle-outbox.js';
import { loadOutbox } from '../../src/jobs/outbox-store.js';
import type { Email } from '../../src/jobs/names.js';
import { createLogger } from '../../src/shared/logger.js';
import { forEachEngine } from '../helpers/databases.js';
import { seedEventWithHolders } from '../helpers/holders.js';
import { recordOutboxRow } from '../helpers/outbox.js';

forEachEngine('event fan-out', (database) => {
  it('expands an event change page by page, one email per holder, without a query per holder', async function () {
    this.timeout(120_000);
    const { knex } = database().db;
    const holders = 2 * FAN_OUT_PAGE_SIZE + 345;
    const seeded = await seedEventWithHolders(knex, holders);
    const outboxId = await recordOutboxRow(knex, 'event.changed', {
      event_id: seeded.eventId,
      changes: { venue: { old: 'Stadium', new: 'Arena' } },
    });
    const entry = (await loadOutbox(knex, outboxId))!;

    let queries = 0;
    const count = () => queries++;
    knex.on('query', count);
    const pages: number[] = [];
    const recipients = new Set<string>();
    let withTwoBookings = 0;
    try {
      await handleOutbox(
        {
          db: database().db,
          logger: createLogger({ level: 'silent' }),
          publicUrl: 'http://evbook.test',
        },
        entry,
        {
          deliver: async () => {
            throw new Error('an event change has no single recipient');
          },
          fanOut: async (emails) => {
            pages.push(emails.length);
            for (const email of emails) recipients.add(email.dedupeKey);
            withTwoBookings += emails.filter((email: Email) =>
              email.text.includes('Your bookings:'),
            ).length;
          },
        },
      );
    } finally {
      knex.off('query', count);
    }

    expect(pages).to.deep.equal([FAN_OUT_PAGE_SIZE, FAN_OUT_PAGE_SIZE, 345]);
    expect(recipients.size).to.equal(holders);
    // One query for the event, then one per page: none per holder.
    expect(queries).to.equal(1 + pages.length);
    // Every tenth holder has two confirmed bookings; cancelled ones are not counted.
    expect(withTwoBookings).to.equal(Math.ceil(holders / 10));
  });
});
