import { loadBookings, loadGet } from './lib/load.js';
import { startBareKoa, startServe, stop, type Served } from './lib/processes.js';
import { createWorld, type Engine } from './lib/world.js';
import type { Row } from './report.js';

export interface ThroughputOptions {
  durationSeconds: number;
  connections: number[];
  nodeArgs: string[];
}

/** Target of issue #6: booking at least this share of the bare-Koa figure. */
export const BOOKING_TARGET_RATIO = 0.35;

/**
 * Booking throughput over HTTP (one ticket per request, ample stock, many
 * customers) against a bare Koa route measured in the same run, on one engine
 * with `processes` serve processes sharing the database.
 */
export async function benchThroughput(
  engine: Engine,
  processes: number,
  options: ThroughputOptions,
): Promise<Row[]> {
  const world = await createWorld(engine);
  const servers: Served[] = [];
  let bare: Served | undefined;
  const rows: Row[] = [];
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
      const baseline = await loadGet(bare.url, connections, options.durationSeconds);
      const booking = await loadBookings({
        urls: servers.map((s) => s.url),
        connections,
        durationSeconds: options.durationSeconds,
        tokens,
        body,
      });
      const ratio = booking.requestsPerSecond / baseline.requestsPerSecond;
      rows.push({
        scenario: `booking ${engine} x${processes}, c=${connections}`,
        'req/s': booking.requestsPerSecond,
        'p50 ms': booking.p50,
        'p99 ms': booking.p99,
        baseline: `bare Koa ${baseline.requestsPerSecond} req/s`,
        ratio: Number(ratio.toFixed(2)),
        target: engine === 'sqlite' && processes === 1 ? `>= ${BOOKING_TARGET_RATIO}` : '',
        met: engine === 'sqlite' && processes === 1 ? ratio >= BOOKING_TARGET_RATIO : undefined,
        failed: booking.failed,
      });
    }
  } finally {
    await Promise.all([...servers.map(stop), stop(bare)]);
  }
  const tally = await world.tally((await world.db.knex('ticket_types').first('id')).id);
  await world.destroy();
  rows.push(consistencyRow(`booking ${engine} x${processes}`, tally));
  return rows;
}

export function consistencyRow(
  scenario: string,
  tally: { sold: number; booked: number; quantity: number },
): Row {
  const ok = tally.sold === tally.booked && tally.sold <= tally.quantity;
  return {
    scenario: `${scenario}: sold = booked <= capacity`,
    'req/s': '',
    'p50 ms': '',
    'p99 ms': '',
    baseline: `sold ${tally.sold}, booked ${tally.booked}, capacity ${tally.quantity}`,
    ratio: '',
    target: 'consistent',
    met: ok,
    failed: ok ? 0 : 1,
    correctness: true,
  };
}
