import autocannon from 'autocannon';

export interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  /** Responses other than 2xx, plus socket errors and timeouts. */
  failed: number;
  /** How many responses each status got. */
  statuses: Record<string, number>;
}

export interface BookingLoad {
  /** One or more `serve` URLs; connections are split evenly between them. */
  urls: string[];
  connections: number;
  durationSeconds: number;
  /** Bearer tokens handed round-robin to connections. */
  tokens: string[];
  body: string;
}

/** GET load on a plain URL, for the baseline. */
export async function loadGet(
  url: string,
  connections: number,
  durationSeconds: number,
): Promise<LoadResult> {
  return summarise([await autocannon({ url, connections, duration: durationSeconds })]);
}

/** POST /v1/bookings load, spread over several servers at once. */
export async function loadBookings(load: BookingLoad): Promise<LoadResult> {
  let next = 0;
  const share = Math.max(1, Math.floor(load.connections / load.urls.length));
  const runs = await Promise.all(
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
  );
  return summarise(runs);
}

function summarise(runs: autocannon.Result[]): LoadResult {
  const statuses: Record<string, number> = {};
  for (const run of runs) {
    for (const [code, count] of Object.entries(run.statusCodeStats ?? {})) {
      statuses[code] = (statuses[code] ?? 0) + (count as { count: number }).count;
    }
  }
  return {
    requestsPerSecond: Math.round(runs.reduce((sum, run) => sum + run.requests.average, 0)),
    p50: Math.max(...runs.map((run) => run.latency.p50)),
    p99: Math.max(...runs.map((run) => run.latency.p99)),
    failed: runs.reduce((sum, run) => sum + run.non2xx + run.errors + run.timeouts, 0),
    statuses,
  };
}
