/**
 * `npm run bench`: evbook against baselines measured in the same run. Absolute
 * figures vary between machines and with load; ratios are what the targets use.
 * Writes bench/results.json; exits 1 if a correctness check fails.
 *
 * Knobs: BENCH_DURATION (seconds per load run, default 5), BENCH_ROUNDS (load runs
 * per figure, baseline and booking alternating, median reported; default 3),
 * BENCH_CONNECTIONS (default "16,64"), BENCH_HOLDERS (fan-out size, default 100000),
 * BENCH_NODE_ARGS (extra node flags for serve and workers, e.g. --cpu-prof),
 * EVBOOK_BENCH_DATABASE_URL or EVBOOK_TEST_DATABASE_URL (PostgreSQL) and
 * EVBOOK_BENCH_REDIS_URL or EVBOOK_TEST_REDIS_URL (Redis). Without them the
 * PostgreSQL and Redis scenarios are left out, and the run says so; with CI=true
 * that is a failure.
 */
import { fileURLToPath } from 'node:url';
import { benchContention } from './contention.js';
import { benchFanOut } from './fan-out.js';
import { report, type Row } from './report.js';
import { benchStartup } from './startup.js';
import { benchThroughput, scalingRow } from './throughput.js';

const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
const throughput = {
  durationSeconds: Number(process.env.BENCH_DURATION ?? 5),
  rounds: Number(process.env.BENCH_ROUNDS ?? 3),
  connections: (process.env.BENCH_CONNECTIONS ?? '16,64').split(',').map(Number),
  nodeArgs,
};
const fanOut = {
  holders: Number(process.env.BENCH_HOLDERS ?? 100_000),
  timeoutMs: 300_000,
  nodeArgs,
};
const postgresUrl = process.env.EVBOOK_BENCH_DATABASE_URL ?? process.env.EVBOOK_TEST_DATABASE_URL;
const redisUrl = process.env.EVBOOK_BENCH_REDIS_URL ?? process.env.EVBOOK_TEST_REDIS_URL;
const missing = [postgresUrl ? '' : 'PostgreSQL', redisUrl ? '' : 'Redis'].filter(Boolean);
if (missing.length > 0 && process.env.CI === 'true') {
  console.error(
    `bench: CI=true but no ${missing.join(' or ')} URL: set EVBOOK_BENCH_DATABASE_URL and EVBOOK_BENCH_REDIS_URL`,
  );
  process.exit(2);
}

const started = performance.now();
const rows: Row[] = [];
rows.push(...(await benchStartup()));

const sqlite = await benchThroughput('sqlite', 1, throughput);
rows.push(...sqlite.rows);
rows.push(...(await benchContention('sqlite')));
rows.push(...(await benchFanOut('sqlite', { ...fanOut, workers: 0 })));

if (postgresUrl) {
  const one = await benchThroughput('postgres', 1, throughput);
  const two = await benchThroughput('postgres', 2, throughput);
  rows.push(...one.rows, ...two.rows, scalingRow('postgres', one, two));
  rows.push(...(await benchContention('postgres')));
}
if (redisUrl) {
  const engine = postgresUrl ? 'postgres' : 'sqlite';
  rows.push(...(await benchFanOut(engine, { ...fanOut, redisUrl, workers: 2 })));
}
for (const service of missing)
  console.log(`${service} scenarios NOT run: set its URL (see bench/run.ts)`);

report(rows, fileURLToPath(new URL('results.json', import.meta.url)), performance.now() - started);
if (rows.some((row) => row.correctness && !row.met)) process.exitCode = 1;
