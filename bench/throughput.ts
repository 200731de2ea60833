import { loadBookings, loadGet, medianRun, type LoadResult } from './lib/load.js';
import { startBareKoa, startServe, stop, type Served } from './lib/processes.js';
import { createWorld, type Engine } from './lib/world.js';
import { row, type Row } from './report.js';

export interface ThroughputOptions {
  /** Seconds of each load run. */
  durationSeconds: number;
  /** Load runs per figure, baseline and booking taking turns; the median is reported. */
  rounds: number;
  connections: number[];
  nodeArgs: string[];
}

/** Target of issue #6: booking at least this share of the bare-Koa figure. */
export const BOOKING_TARGET_RATIO = 0.35;

export interface ThroughputResult {
  rows: Row[];
  /** Booking requests/s by connection count, for the scaling figure. */
  bookingsPerSecond: Map<number, number>;
}

/**
 * Booking throughput over HTTP (one ticket per request, ample stock, many
 * customers) against a bare Koa route measured in the same run, on one engine
 * with `processes` serve processes sharing the database. Baseline and booking runs
 * alternate, so that a change in the machine's load hits both alike.
 */
export async function benchThroughput(
  engine: Engine,
  processes: number,
  options: ThroughputOptions,
): Promise<ThroughputResult> {
  const world = await createWorld(engine);
  const servers: Served[] = [];
  let bare: Served | undefined;
  const rows: Row[] = [];
  const bookingsPerSecond = new Map<number, number>();
  try {
    const { eventId, ticketTypeId } = await world.event(10_000_000);
    const tokens = await world.customers(Math.max(...options.connections));
    const body = JSON.stringify({
      event_id: eventId,
      items: [{ ticket_type_id: ticketTypeId, quantity: 1 }],
    });
    for (let i = 0; i < processes; i++)
      servers.push(await startServe(world.url, {}, options.nodeArgs));
    bare = await startBareKoa();

    for (const connections of options.connections) {
      const baselines: LoadResult[] = [];
      const bookings: LoadResult[] = [];
      for (let round = 0; round < options.rounds; round++) {
        baselines.push(
          await loadGet(bare.url, bare.child.pid!, connections, options.durationSeconds),
        );
        bookings.push(
          await loadBookings({
            urls: servers.map((s) => s.url),
            pids: servers.map((s) => s.child.pid!),
            connections,
            durationSeconds: options.durationSeconds,
            tokens,
            body,
          }),
        );
      }
      const baseline = medianRun(baselines);
      const booking = medianRun(bookings);
      bookingsPerSecond.set(connections, booking.requestsPerSecond);
      const ratio = booking.requestsPerSecond / baseline.requestsPerSecond;
      const targeted = engine === 'sqlite' && processes === 1;
      rows.push({
        scenario: `booking ${engine} x${processes}, c=${connections}`,
        'req/s': booking.requestsPerSecond,
        'p50 ms': booking.p50,
        'p99 ms': booking.p99,
        'cpu us/req': booking.cpuUsPerRequest,
        baseline:
          `bare Koa ${baseline.requestsPerSecond} req/s, ${baseline.cpuUsPerRequest} us/req; ` +
          `cpu ratio ${(baseline.cpuUsPerRequest / Math.max(1, booking.cpuUsPerRequest)).toFixed(2)}`,
        ratio: Number(ratio.toFixed(2)),
        target: targeted ? `>= ${BOOKING_TARGET_RATIO}` : '',
        met: targeted ? ratio >= BOOKING_TARGET_RATIO : undefined,
        failed: booking.failed,
      });
    }
  } finally {
    await Promise.all([...servers.map(stop), stop(bare)]);
  }
  const tally = await world.tally((await world.db.knex('ticket_types').first('id')).id);
  await world.destroy();
  rows.push(consistencyRow(`booking ${engine} x${processes}`, tally));
  return { rows, bookingsPerSecond };
}

/** How much a second process adds, per connection count. */
export function scalingRow(engine: Engine, one: ThroughputResult, two: ThroughputResult): Row {
  const factors = [...one.bookingsPerSecond].map(([connections, single]) => {
    const double = two.bookingsPerSecond.get(connections) ?? 0;
    return `c=${connections}: ${(double / single).toFixed(2)}x`;
  });
  return row({
    scenario: `booking ${engine}: scaling from 1 to 2 serve processes`,
    baseline: 'x1 figure of the same run',
    ratio: factors.join(', '),
  });
}

export function consistencyRow(
  scenario: string,
  tally: { sold: number; booked: number; quantity: number },
): Row {
  const ok = tally.sold === tally.booked && tally.sold <= tally.quantity;
  return row({
    scenario: `${scenario}: sold = booked <= capacity`,
    baseline: `sold ${tally.sold}, booked ${tally.booked}, capacity ${tally.quantity}`,
    target: 'consistent',
    met: ok,
    failed: ok ? 0 : 1,
    correctness: true,
  });
}
