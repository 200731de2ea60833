import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, rssMb, startServe, stop } from './lib/processes.js';
import { row, type Row } from './report.js';

const RUNS = 15;

/** How long `serve` sits without requests before its idle RSS is read. */
const IDLE_SETTLE_MS = 15_000;

function medianMs(command: string[]): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    const run = spawnSync(process.execPath, command, { cwd: ROOT, stdio: 'ignore' });
    if (run.status !== 0) throw new Error(`${command.join(' ')} exited ${run.status}`);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(RUNS / 2)]!;
}

/** `evbook --help` against `node -e 0`; `serve` idle RSS and time to ready. */
export async function benchStartup(): Promise<Row[]> {
  const floor = medianMs(['-e', '0']);
  const help = medianMs(['bin/evbook', '--help']);
  const ratio = help / floor;

  const dir = mkdtempSync(join(tmpdir(), 'evbook-bench-'));
  const started = performance.now();
  const server = await startServe(`sqlite:${join(dir, 'idle.sqlite')}`);
  const readyMs = performance.now() - started;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  await sleep(1000);
  const justStarted = rssMb(server.child.pid!);
  // V8 gives back the young generation and unused heap after some seconds without
  // work (its memory reducer); an idle server is one that has had that time.
  await sleep(IDLE_SETTLE_MS - 1000);
  const rss = rssMb(server.child.pid!);
  await stop(server);
  rmSync(dir, { recursive: true, force: true });

  return [
    row({
      scenario: 'evbook --help wall time',
      baseline: `node -e 0: ${floor.toFixed(0)} ms; evbook --help: ${help.toFixed(0)} ms (median of ${RUNS})`,
      ratio: ratio.toFixed(2),
      target: '<= 2.5x node -e 0',
      met: ratio <= 2.5,
    }),
    row({
      scenario: 'serve idle RSS (SQLite)',
      baseline: `${justStarted} MB 1 s after ready; ${rss} MB after ${IDLE_SETTLE_MS / 1000} s idle`,
      ratio: String(rss),
      target: '<= 90 MB',
      met: rss <= 90,
    }),
    row({
      scenario: 'serve start to /readyz 200 (fresh database)',
      baseline: `${readyMs.toFixed(0)} ms`,
    }),
  ];
}
