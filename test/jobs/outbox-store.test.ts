import { expect } from 'chai';
import { toDate } from '../../src/db/sql.js';
import { outboxRow } from '../../src/domain/outbox.js';
import {
  claimOutbox,
  extendClaim,
  extendClaims,
  markDispatched,
  outboxDepth,
  recordAttemptFailure,
  releaseClaims,
  type OutboxEntry,
} from '../../src/jobs/outbox-store.js';
import { forEachEngine } from '../helpers/databases.js';

/**
 * The claim bookkeeping behind the queue depth of embedded mode: `claimed_at` marks the
 * rows in hand, and only those. Every `now` is given, so nothing depends on the clock.
 */
forEachEngine('outbox claims and depth', (database) => {
  const t0 = new Date('2026-12-04T10:00:00Z').getTime();
  const at = (ms: number) => new Date(t0 + ms);
  const lease = 1000;

  async function insertRows(n: number): Promise<void> {
    const rows = Array.from({ length: n }, (_, i) =>
      outboxRow('booking.confirmed', { booking_id: `b${i}` }, at(i)),
    );
    await database().db.knex('outbox').insert(rows);
  }

  async function claimAll(now: Date): Promise<OutboxEntry[]> {
    return claimOutbox(database().db, 10, lease, now);
  }

  async function claimOf(id: string): Promise<{ availableAt: Date | null; claimed: boolean }> {
    const row = await database()
      .db.knex('outbox')
      .where({ id })
      .first('available_at', 'claimed_at');
    return {
      availableAt: row.available_at === null ? null : toDate(row.available_at),
      claimed: row.claimed_at !== null,
    };
  }

  it('shows claimed rows active, and waiting again once their lease ran out', async () => {
    await insertRows(2);
    expect(await outboxDepth(database().db.knex, at(10))).to.deep.equal({
      waiting: 2,
      active: 0,
      delayed: 0,
      failed: 0,
    });

    await claimAll(at(10));
    expect(await outboxDepth(database().db.knex, at(20))).to.deep.equal({
      waiting: 0,
      active: 2,
      delayed: 0,
      failed: 0,
    });
    // The dispatcher died: its rows are due again, whatever claimed_at still says.
    expect(await outboxDepth(database().db.knex, at(10 + lease + 1))).to.deep.equal({
      waiting: 2,
      active: 0,
      delayed: 0,
      failed: 0,
    });
  });

  it('never lets a renewal by a dispatcher that lost its lease undo the back-off of a row another one failed', async () => {
    await insertRows(2);
    const [a, b] = await claimAll(at(10));
    // Dispatcher 1 is slow past its lease; dispatcher 2 takes both rows and fails `a`.
    await claimAll(at(2000));
    await recordAttemptFailure(
      database().db.knex,
      a!,
      { error: '451 try later', maxAttempts: 5, retryInMs: 60_000 },
      at(2100),
    );
    // Dispatcher 1 comes back and renews what it believes it still holds.
    await extendClaims(database().db.knex, [a!.id, b!.id], lease, at(2200));
    await extendClaim(database().db.knex, a!.id, lease, at(2300));

    expect(await claimOf(a!.id)).to.deep.equal({ availableAt: at(62_100), claimed: false });
    expect(await claimOf(b!.id)).to.deep.equal({ availableAt: at(2200 + lease), claimed: true });
    expect(await outboxDepth(database().db.knex, at(2400))).to.deep.equal({
      waiting: 0,
      active: 1,
      delayed: 1,
      failed: 0,
    });
  });

  it('clears claimed_at on release, dispatch and on the last failed attempt', async () => {
    await insertRows(3);
    const [a, b, c] = await claimAll(at(10));
    const knex = database().db.knex;
    await releaseClaims(knex, [a!.id]);
    await markDispatched(knex, [b!.id], at(20));
    await recordAttemptFailure(
      knex,
      c!,
      { error: 'refused', maxAttempts: 1, retryInMs: 1000 },
      at(30),
    );

    for (const entry of [a!, b!, c!]) expect((await claimOf(entry.id)).claimed).to.equal(false);
    expect(await outboxDepth(knex, at(40))).to.deep.equal({
      waiting: 1,
      active: 0,
      delayed: 0,
      failed: 1,
    });
  });
});
