import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Knex } from '../db/connection.js';

/** The Prometheus metrics of one `serve` process, in a registry of its own. */
export interface ApiMetrics {
  registry: Registry;
  requestDuration: Histogram<'method' | 'route' | 'status'>;
  bookings: Counter<'result'>;
}

/**
 * Request latency by route (the operation id, never the raw path, so ids do not
 * explode the label set), booking outcomes, the outbox read at scrape time (rows
 * waiting to be delivered or handed to the queue, and rows whose attempts ran out),
 * and Node's process metrics. The background work adds the queue depth and the job
 * failures (`src/jobs/metrics.ts`).
 */
export function createMetrics(knex: Knex): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'evbook_' });

  const requestDuration = new Histogram({
    name: 'evbook_http_request_duration_seconds',
    help: 'HTTP request latency by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const bookings = new Counter({
    name: 'evbook_bookings_total',
    help: 'Booking requests by result: confirmed, replayed, sold_out, refused',
    labelNames: ['result'] as const,
    registers: [registry],
  });

  // Both gauges come of one query per scrape, over the undispatched rows only.
  let counting: Promise<OutboxCounts> | undefined;
  const counts = () => {
    counting ??= countOutbox(knex).finally(() => setImmediate(() => (counting = undefined)));
    return counting;
  };
  new Gauge({
    name: 'evbook_outbox_pending',
    help: 'Notifications recorded but not yet delivered (embedded) or handed to the queue (Redis)',
    registers: [registry],
    async collect() {
      await setOrUnknown(this, async () => (await counts()).pending);
    },
  });
  new Gauge({
    name: 'evbook_outbox_failed',
    help: 'Notifications whose attempts ran out in embedded mode, until evbook notifications --retry',
    registers: [registry],
    async collect() {
      await setOrUnknown(this, async () => (await counts()).failed);
    },
  });
  return { registry, requestDuration, bookings };
}

interface OutboxCounts {
  pending: number;
  failed: number;
}

async function countOutbox(knex: Knex): Promise<OutboxCounts> {
  const row = await knex('outbox')
    .whereNull('dispatched_at')
    .first(
      knex.raw('sum(case when failed_at is null then 1 else 0 end) as pending'),
      knex.raw('sum(case when failed_at is null then 0 else 1 end) as failed'),
    );
  return { pending: Number(row?.pending ?? 0), failed: Number(row?.failed ?? 0) };
}

/**
 * Sets the gauge, or to NaN (unknown) when the database did not answer for this
 * scrape: `/metrics` keeps serving the process and request metrics during an outage,
 * and an unknown backlog never reads as an empty one.
 */
async function setOrUnknown(gauge: Gauge, read: () => Promise<number>): Promise<void> {
  try {
    gauge.set(await read());
  } catch {
    gauge.set(Number.NaN);
  }
}
