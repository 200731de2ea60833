import { startServe, stop, type Served } from './lib/processes.js';
import { createWorld, type Engine } from './lib/world.js';
import { row, type Row } from './report.js';
import { consistencyRow } from './throughput.js';

/**
 * The last tickets: `requests` simultaneous requests for `tickets` remaining, one
 * ticket each. Exactly `tickets` must sell; reports time to drain and p99.
 */
export async function benchContention(
  engine: Engine,
  requests = 1000,
  tickets = 100,
): Promise<Row[]> {
  const world = await createWorld(engine);
  let server: Served | undefined;
  try {
    const { eventId, ticketTypeId } = await world.event(tickets);
    const tokens = await world.customers(requests);
    server = await startServe(world.url);
    const body = JSON.stringify({
      event_id: eventId,
      items: [{ ticket_type_id: ticketTypeId, quantity: 1 }],
    });

    const started = performance.now();
    const latencies: number[] = [];
    const statuses = await Promise.all(
      tokens.map(async (token) => {
        const sent = performance.now();
        const res = await fetch(`${server!.url}/v1/bookings`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body,
        });
        await res.arrayBuffer();
        latencies.push(performance.now() - sent);
        return res.status;
      }),
    );
    const drainMs = performance.now() - started;
    latencies.sort((a, b) => a - b);
    const created = statuses.filter((s) => s === 201).length;
    const refused = statuses.filter((s) => s === 409).length;
    await stop(server);
    const tally = await world.tally(ticketTypeId);
    const exact = created === tickets && refused === requests - tickets;
    return [
      row({
        scenario: `contention ${engine}: ${requests} requests, last ${tickets}`,
        'req/s': Math.round((requests / drainMs) * 1000),
        'p50 ms': Math.round(latencies[Math.floor(latencies.length / 2)]!),
        'p99 ms': Math.round(latencies[Math.floor(latencies.length * 0.99)]!),
        baseline: `drained in ${Math.round(drainMs)} ms; ${created} sold, ${refused} sold_out`,
        target: `exactly ${tickets} sold`,
        met: exact,
        failed: requests - created - refused,
        correctness: true,
      }),
      consistencyRow(`contention ${engine}`, tally),
    ];
  } finally {
    await stop(server);
    await world.destroy();
  }
}
