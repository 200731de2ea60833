import autocannon from 'autocannon';
import { cpuMs } from './processes.js';

export interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  /** Responses other than 2xx, plus socket errors and timeouts. */
  failed: number;
  /** Requests answered, of any status. */
  requests: number;
  /** How many responses each status got. */
  statuses: Record<string, number>;
  /** CPU time the server processes spent per answered request, in microseconds. */
  cpuUsPerRequest: number;
}

export interface BookingLoad {
  /** One or more `serve` URLs; connections are split evenly between them. */
  urls: string[];
  /** The processes behind `urls`, whose CPU time is measured. */
  pids: number[];
  connections: number;
  durationSeconds: number;
  /** Bearer tokens handed round-robin to connections. */
  tokens: string[];
  body: string;
}

/** GET load on a plain URL, for the baseline. */
export async function loadGet(
  url: string,
  pid: number,
  connections: number,
  durationSeconds: number,
): Promise<LoadResult> {
  return measured([pid], async () => [
    await autocannon({ url, connections, duration: durationSeconds }),
  ]);
}

/** POST /v1/bookings load, spread over several servers at once. */
export async function loadBookings(load: BookingLoad): Promise<LoadResult> {
  let next = 0;
  const share = Math.max(1, Math.floor(load.connections / load.urls.length));
  return measured(load.pids, () =>
    Promise.all(
      load.urls.map((url) =>
        autocannon({
          url: `${url}/v1/bookings`,
          connections: share,
          duration: load.durationSeconds,
          method: 'POST',
          body: load.body,
          headers: { 'content-type': 'application/json' },
          setupClient: (client) =>
            client.setHeaders({
              'content-type': 'application/json',
              authorization: `Bearer ${load.tokens[next++ % load.tokens.length]}`,
            }),
        }),
      ),
    ),
  );
}

async function measured(
  pids: number[],
  run: () => Promise<autocannon.Result[]>,
): Promise<LoadResult> {
  const cpuBefore = pids.reduce((sum, pid) => sum + cpuMs(pid), 0);
  const runs = await run();
  const cpuSpent = pids.reduce((sum, pid) => sum + cpuMs(pid), 0) - cpuBefore;
  return summarise(runs, cpuSpent);
}

function summarise(runs: autocannon.Result[], cpuSpentMs: number): LoadResult {
  const statuses: Record<string, number> = {};
  for (const run of runs) {
    for (const [code, count] of Object.entries(run.statusCodeStats ?? {})) {
      statuses[code] = (statuses[code] ?? 0) + (count as { count: number }).count;
    }
  }
  const requests = runs.reduce((sum, run) => sum + run.requests.total, 0);
  return {
    requestsPerSecond: Math.round(runs.reduce((sum, run) => sum + run.requests.average, 0)),
    p50: Math.max(...runs.map((run) => run.latency.p50)),
    p99: Math.max(...runs.map((run) => run.latency.p99)),
    failed: runs.reduce((sum, run) => sum + run.non2xx + run.errors + run.timeouts, 0),
    requests,
    statuses,
    cpuUsPerRequest: requests > 0 ? Math.round((cpuSpentMs * 1000) / requests) : 0,
  };
}

/** The run whose requests/s is the median of several; failures summed over all. */
export function medianRun(runs: LoadResult[]): LoadResult {
  const sorted = [...runs].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  const cpu = [...runs].map((r) => r.cpuUsPerRequest).sort((a, b) => a - b);
  return {
    ...median,
    failed: runs.reduce((sum, run) => sum + run.failed, 0),
    cpuUsPerRequest: cpu[Math.floor(cpu.length / 2)]!,
  };
}
