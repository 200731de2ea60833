import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';

/** One line of the benchmark table. */
export interface Row {
  scenario: string;
  'req/s': number | string;
  'p50 ms': number | string;
  'p99 ms': number | string;
  /** CPU time of the server processes per request (less sensitive to machine load). */
  'cpu us/req': number | string;
  baseline: string;
  ratio: number | string;
  target: string;
  /** Whether the target holds; undefined when the row states no target. */
  met: boolean | undefined;
  failed: number;
  /** A correctness check: a benchmark that breaks it fails. */
  correctness?: boolean;
}

/** A row with only the given cells filled. */
export function row(cells: Pick<Row, 'scenario'> & Partial<Row>): Row {
  return {
    'req/s': '',
    'p50 ms': '',
    'p99 ms': '',
    'cpu us/req': '',
    baseline: '',
    ratio: '',
    target: '',
    met: undefined,
    failed: 0,
    ...cells,
  };
}

/** Prints the table and writes `bench/results.json` with the machine it ran on. */
export function report(rows: Row[], file: string, elapsedMs: number): void {
  const table = rows.map(({ correctness: _, met, scenario, ...row }) => ({
    scenario,
    ...row,
    met: met === undefined ? '' : met ? 'yes' : 'NO',
  }));
  console.table(table);
  const machine = {
    node: process.version,
    cpus: `${cpus().length} x ${cpus()[0]?.model ?? 'unknown'}`,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    loadAverage: loadavg().map((l) => Number(l.toFixed(2))),
    at: new Date().toISOString(),
    minutes: Number((elapsedMs / 60_000).toFixed(1)),
  };
  console.log(
    `machine: ${machine.cpus}, ${machine.memoryGb} GB, node ${machine.node}, ` +
      `load ${machine.loadAverage.join(' ')}; the run took ${machine.minutes} minutes`,
  );
  for (const row of rows.filter((r) => r.met === false)) {
    console.log(
      `${row.correctness ? 'FAILED' : 'target not met'}: ${row.scenario} (${row.target})`,
    );
  }
  writeFileSync(file, `${JSON.stringify({ machine, rows }, null, 2)}\n`);
}
