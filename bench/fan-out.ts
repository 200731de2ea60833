import type { ChildProcess } from 'node:child_process';
import { openQueue } from '../src/jobs/redis.js';
import { loadConfig } from '../src/shared/config.js';
import { createLogger } from '../src/shared/logger.js';
import { newId } from '../src/shared/ids.js';
import { seedEventWithHolders } from '../test/helpers/holders.js';
import { dropPrefix, uniquePrefix } from '../test/helpers/redis-keys.js';
import { peakRssMb, startServe, startWorker, stop, type Served } from './lib/processes.js';
import { createWorld, type BenchWorld, type Engine } from './lib/world.js';
import { row, type Row } from './report.js';

export interface FanOutOptions {
  holders: number;
  /** Where the jobs go: in-process (embedded) or a Redis URL with `workers` workers. */
  redisUrl?: string;
  workers: number;
  /** Give up waiting after this long. */
  timeoutMs: number;
  /** Extra node flags for serve and the workers, e.g. --heap-prof. */
  nodeArgs: string[];
}

/** Targets of issue #6. */
export const FAN_OUT_TARGET_MS = 20_000;
export const FAN_OUT_RSS_TARGET_MB = 200;

/**
 * One event with `holders` ticket holders changes venue through the API: the time
 * until every holder's email is recorded as sent, and the peak RSS of `serve` and
 * of each worker. Baseline: writing as many rows to a table of the same shape, in
 * batches of 1,000, on the same database: the floor of recording the sends.
 */
export async function benchFanOut(engine: Engine, options: FanOutOptions): Promise<Row[]> {
  const mode = options.redisUrl ? `Redis, ${options.workers} workers` : 'embedded';
  const scenario = `fan-out ${engine}, ${mode}: ${options.holders.toLocaleString('en')} holders`;
  const world = await createWorld(engine);
  const prefix = uniquePrefix();
  const env: Record<string, string> = options.redisUrl
    ? { EVBOOK_REDIS_URL: options.redisUrl, EVBOOK_QUEUE_PREFIX: prefix }
    : {};
  let server: Served | undefined;
  const workers: ChildProcess[] = [];
  try {
    const seeded = await seedEventWithHolders(world.db.knex, options.holders);
    const floorMs = await insertFloor(world, options.holders);
    const { organiser_id: organiserId } = await world.db
      .knex('events')
      .where({ id: seeded.eventId })
      .first('organiser_id');
    const token = await world.token(organiserId, 'organiser');

    server = await startServe(world.url, env, options.nodeArgs);
    for (let i = 0; i < options.workers && options.redisUrl; i++)
      workers.push(startWorker(world.url, env, options.nodeArgs));
    if (options.redisUrl) await waitForWorkers(world.url, options.redisUrl, prefix, workers.length);

    const started = performance.now();
    const res = await fetch(`${server.url}/v1/events/${seeded.eventId}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ venue: 'Arena' }),
    });
    if (res.status !== 200) throw new Error(`venue change answered ${res.status}`);
    const sent = await waitForSent(world, seeded.holders, options.timeoutMs);
    const elapsedMs = performance.now() - started;

    const serveRss = peakRssMb(server.child.pid!);
    const workerRss = workers.map((w) => peakRssMb(w.pid!));
    const peak = Math.max(serveRss, ...workerRss);
    const distinct = await world.db.knex('notifications').countDistinct({ n: 'recipient' }).first();
    const everyoneOnce = sent === seeded.holders && Number(distinct?.n) === seeded.holders;
    const timeTargeted = Boolean(options.redisUrl) && options.workers === 2;
    return [
      row({
        scenario: `${scenario}, time to all sent`,
        baseline: `raw insert of ${options.holders} rows: ${Math.round(floorMs)} ms`,
        ratio: `${(elapsedMs / 1000).toFixed(1)} s (${(elapsedMs / floorMs).toFixed(1)}x)`,
        target: timeTargeted ? `< ${FAN_OUT_TARGET_MS / 1000} s` : '',
        met: timeTargeted ? sent === seeded.holders && elapsedMs < FAN_OUT_TARGET_MS : undefined,
      }),
      row({
        scenario: `${scenario}, peak RSS`,
        baseline:
          `serve ${serveRss} MB` + workerRss.map((mb, i) => `, worker ${i + 1} ${mb} MB`).join(''),
        ratio: String(peak),
        target: `< ${FAN_OUT_RSS_TARGET_MB} MB`,
        met: peak < FAN_OUT_RSS_TARGET_MB,
      }),
      row({
        scenario: `${scenario}: each holder emailed once`,
        baseline: `${sent} sent to ${distinct?.n} recipients, ${seeded.holders} holders`,
        target: 'exactly once',
        met: everyoneOnce,
        failed: everyoneOnce ? 0 : 1,
        correctness: true,
      }),
    ];
  } finally {
    await Promise.all([stop(server), ...workers.map(stop)]);
    if (options.redisUrl) await dropPrefix(options.redisUrl, prefix);
    await world.destroy();
  }
}

/** Time to write `count` rows shaped like `notifications`, 500 per statement. */
async function insertFloor(world: BenchWorld, count: number): Promise<number> {
  const { knex } = world.db;
  await knex.schema.createTable('bench_floor', (t) => {
    t.uuid('id').primary();
    t.string('dedupe_key', 200).notNullable().unique();
    t.uuid('outbox_id').notNullable();
    t.string('recipient', 254).notNullable();
    t.string('subject', 300).notNullable();
    t.timestamp('sent_at', { useTz: true }).notNullable();
  });
  const outboxId = newId();
  const rows = Array.from({ length: count }, (_, i) => ({
    id: newId(),
    dedupe_key: `${outboxId}.${i}`,
    outbox_id: outboxId,
    recipient: `holder.${i}@example.test`,
    subject: 'Big Gig: the venue has changed',
    sent_at: new Date(),
  }));
  const started = performance.now();
  // Knex writes a multi-row insert on SQLite as a compound SELECT, limited to 500 terms.
  await knex.batchInsert('bench_floor', rows, 500);
  const ms = performance.now() - started;
  await knex.schema.dropTable('bench_floor');
  return ms;
}

/** Polls the count of recorded sends until it reaches `expected` or time runs out. */
async function waitForSent(world: BenchWorld, expected: number, timeoutMs: number) {
  const deadline = performance.now() + timeoutMs;
  let sent = 0;
  while (performance.now() < deadline) {
    const counted = await world.db.knex('notifications').count({ n: '*' }).first();
    sent = Number(counted?.n ?? 0);
    if (sent >= expected) return sent;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return sent;
}

/** Waits until `count` workers have registered with the notifications queue. */
async function waitForWorkers(
  databaseUrl: string,
  redisUrl: string,
  prefix: string,
  count: number,
) {
  const config = loadConfig({
    EVBOOK_DATABASE_URL: databaseUrl,
    EVBOOK_REDIS_URL: redisUrl,
    EVBOOK_QUEUE_PREFIX: prefix,
  });
  const queue = openQueue(config, createLogger({ level: 'silent' }));
  try {
    const deadline = Date.now() + 30_000;
    while ((await queue.getWorkers()).length < count) {
      if (Date.now() > deadline) throw new Error(`${count} workers never came up`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await queue.close();
  }
}
