/**
 * `npm run bench`: evbook against baselines measured in the same run. Absolute
 * figures vary between machines and with load; ratios are what the targets use.
 * Writes bench/results.json; exits 1 if a correctness check fails.
 *
 * Knobs: BENCH_DURATION (seconds per load run, default 10), BENCH_CONNECTIONS
 * (default "16,64"), BENCH_NODE_ARGS (extra node flags for serve, e.g. --cpu-prof),
 * EVBOOK_BENCH_DATABASE_URL or EVBOOK_TEST_DATABASE_URL (PostgreSQL scenarios run
 * only when one is set).
 */
import { fileURLToPath } from 'node:url';
import { benchContention } from './contention.js';
import { report, type Row } from './report.js';
import { benchStartup } from './startup.js';
import { benchThroughput } from './throughput.js';

const options = {
  durationSeconds: Number(process.env.BENCH_DURATION ?? 10),
  connections: (process.env.BENCH_CONNECTIONS ?? '16,64').split(',').map(Number),
  nodeArgs: (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean),
};
const withPostgres = Boolean(
  process.env.EVBOOK_BENCH_DATABASE_URL ?? process.env.EVBOOK_TEST_DATABASE_URL,
);

const rows: Row[] = [];
rows.push(...(await benchStartup()));
rows.push(...(await benchThroughput('sqlite', 1, options)));
rows.push(...(await benchContention('sqlite')));
if (withPostgres) {
  rows.push(...(await benchThroughput('postgres', 1, options)));
  rows.push(...(await benchThroughput('postgres', 2, options)));
  rows.push(...(await benchContention('postgres')));
} else {
  console.log('PostgreSQL scenarios NOT run: set EVBOOK_BENCH_DATABASE_URL=postgres://...');
}

report(rows, fileURLToPath(new URL('results.json', import.meta.url)));
if (rows.some((row) => row.correctness && !row.met)) process.exitCode = 1;
