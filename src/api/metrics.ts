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
 * explode the label set), booking outcomes, the outbox backlog read at scrape
 * time, and Node's process metrics.
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
  new Gauge({
    name: 'evbook_outbox_pending',
    help: 'Notifications recorded but not yet dispatched (the queue backlog)',
    registers: [registry],
    async collect() {
      const row = await knex('outbox').whereNull('dispatched_at').count({ n: '*' }).first();
      this.set(Number(row?.n ?? 0));
    },
  });
  return { registry, requestDuration, bookings };
}
