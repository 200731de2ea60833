import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, rssMb, startServe, stop } from './lib/processes.js';
import { row, type Row } from './report.js';

const RUNS = 15;

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
  await new Promise((resolve) => setTimeout(resolve, 1000));
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
      baseline: `${rss} MB`,
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
