/**
 * Measures the fan-out of one event change in Redis mode: holders paged from the
 * database and enqueued with addBulk, as `evbook worker` does it.
 *
 *   EVBOOK_TEST_REDIS_URL=redis://127.0.0.1:6379 [EVBOOK_TEST_DATABASE_URL=postgres://...] \
 *     npx tsx bench/fan-out.ts [holders...]
 *
 * Prints, per engine and size: time to enqueue (and the part spent in addBulk),
 * database queries, the peak heap growth over the baseline while fanning out (sampled
 * every 20 ms, garbage included) and, with `node --expose-gc`, the largest live heap
 * growth measured after a collection at the end of each page.
 */
import { handleOutbox } from '../src/jobs/handle-outbox.js';
import { JOB_NAMES } from '../src/jobs/names.js';
import { loadOutbox } from '../src/jobs/outbox-store.js';
import { openQueue } from '../src/jobs/redis.js';
import { emailJobId } from '../src/jobs/worker.js';
import { loadConfig } from '../src/shared/config.js';
import { createLogger } from '../src/shared/logger.js';
import { createTestDatabase, engines } from '../test/helpers/databases.js';
import { seedEventWithHolders } from '../test/helpers/holders.js';
import { recordOutboxRow } from '../test/helpers/outbox.js';
import { dropPrefix, uniquePrefix } from '../test/helpers/redis.js';

const redisUrl = process.env.EVBOOK_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const sizes = process.argv.slice(2).map(Number);
const logger = createLogger({ level: 'silent' });

for (const dialect of engines()) {
  for (const holders of sizes.length > 0 ? sizes : [10_000, 100_000]) {
    const database = await createTestDatabase(dialect);
    const prefix = uniquePrefix();
    const config = loadConfig({
      EVBOOK_DATABASE_URL: database.url,
      EVBOOK_REDIS_URL: redisUrl,
      EVBOOK_QUEUE_PREFIX: prefix,
    });
    const queue = openQueue(config, logger);
    try {
      const { knex } = database.db;
      const seeded = await seedEventWithHolders(knex, holders);
      const outboxId = await recordOutboxRow(knex, 'event.changed', {
        event_id: seeded.eventId,
        changes: { venue: { old: 'Stadium', new: 'Arena' } },
      });
      const entry = (await loadOutbox(knex, outboxId))!;
      await queue.waitUntilReady();

      global.gc?.();
      const baseline = process.memoryUsage().heapUsed;
      let peak = baseline;
      const sampler = setInterval(() => {
        peak = Math.max(peak, process.memoryUsage().heapUsed);
      }, 20);
      let queries = 0;
      let enqueueMs = 0;
      let livePeak = 0;
      const count = () => queries++;
      knex.on('query', count);
      const started = process.hrtime.bigint();
      await handleOutbox({ db: database.db, logger, publicUrl: 'http://evbook.test' }, entry, {
        deliver: async () => {},
        fanOut: async (emails) => {
          const t0 = process.hrtime.bigint();
          await queue.addBulk(
            emails.map((email) => ({
              name: JOB_NAMES.email,
              data: email,
              opts: { jobId: emailJobId(email.dedupeKey) },
            })),
          );
          enqueueMs += Number(process.hrtime.bigint() - t0) / 1e6;
          if (global.gc) {
            global.gc();
            livePeak = Math.max(livePeak, process.memoryUsage().heapUsed - baseline);
          }
        },
      });
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      clearInterval(sampler);
      knex.off('query', count);
      const waiting = await queue.getJobCounts('wait');
      console.log(
        `${dialect} holders=${holders} bookings=${seeded.bookings} enqueued=${waiting.wait} ` +
          `time=${ms.toFixed(0)}ms (addBulk ${enqueueMs.toFixed(0)}ms) queries=${queries} ` +
          `peakHeapGrowth=${((peak - baseline) / 2 ** 20).toFixed(1)}MiB ` +
          `liveHeapAfterPage=${(livePeak / 2 ** 20).toFixed(1)}MiB`,
      );
    } finally {
      await queue.close();
      await dropPrefix(redisUrl, prefix);
      await database.destroy();
    }
  }
}
