import { Counter, Gauge, type Registry } from 'prom-client';
import { OUTBOX_KINDS, type OutboxKind } from '../domain/outbox.js';
import type { Logger } from '../shared/logger.js';
import { JOB_NAMES } from './names.js';

/** The states `evbook_queue_jobs` reports. */
export const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;
export type QueueState = (typeof QUEUE_STATES)[number];
export type QueueDepth = Record<QueueState, number>;

export type JobName = (typeof JOB_NAMES)[keyof typeof JOB_NAMES];

export interface JobMetricsOptions {
  /**
   * Reads the queue at scrape time: BullMQ's job counts in Redis mode, the outbox in
   * embedded mode. A failure (Redis or the database away) leaves the depth out of
   * that scrape rather than failing `/metrics`.
   */
  readDepth: () => Promise<QueueDepth>;
  /**
   * What this process does with the jobs, which decides what it reports:
   * - `dispatcher`: `serve` in Redis mode, which only enqueues: the depth alone (the
   *   workers count the failures);
   * - `embedded`: `serve` running the outbox rows itself: the depth and the failures
   *   of `outbox` jobs;
   * - `worker`: `evbook worker`: the depth, the failures of `outbox` and `emails` jobs,
   *   and stalled jobs.
   */
  role: 'dispatcher' | 'embedded' | 'worker';
  logger: Logger;
}

/** The job names whose counters each role starts at 0, so that `rate()` works at once. */
const JOBS_OF: Record<JobMetricsOptions['role'], readonly JobName[]> = {
  dispatcher: [],
  embedded: [JOB_NAMES.outbox],
  worker: [JOB_NAMES.outbox, JOB_NAMES.emails],
};

/**
 * The notification jobs as Prometheus sees them: the queue depth by state (shared
 * state, the same in every process that reads it) and this process's failed attempts,
 * jobs given up on and stalled jobs (counters, to be summed over processes).
 *
 * A job is an outbox row (`job="outbox"`: a booking email, or an event change fanned
 * out) or a run of up to 100 emails of a fan-out (`job="emails"`, Redis mode only; a
 * single-email `job="email"` left by an older version counts under its own name); `kind` is its
 * cause (`booking.confirmed`, `event.changed`, ...).
 */
export class JobMetrics {
  private readonly failures: Counter<'job' | 'kind'>;
  private readonly exhausted: Counter<'job' | 'kind'>;
  private readonly stalls: Counter;
  private readonly depth: Gauge<'state'>;
  private readonly role: JobMetricsOptions['role'];

  constructor(options: JobMetricsOptions) {
    this.role = options.role;
    this.failures = new Counter({
      name: 'evbook_notification_job_failures_total',
      help: 'Failed attempts of notification jobs, by job name and cause, retried or not',
      labelNames: ['job', 'kind'] as const,
      registers: [],
    });
    this.exhausted = new Counter({
      name: 'evbook_notification_jobs_exhausted_total',
      help: 'Notification jobs given up on (attempts used up or not retryable), kept as failed',
      labelNames: ['job', 'kind'] as const,
      registers: [],
    });
    this.stalls = new Counter({
      name: 'evbook_notification_jobs_stalled_total',
      help: 'Jobs a worker lost (it died or blocked past its lock) that were taken back',
      registers: [],
    });
    for (const job of JOBS_OF[options.role]) {
      for (const kind of OUTBOX_KINDS) {
        // Fan-out emails come of event changes only.
        if (job === JOB_NAMES.emails && !kind.startsWith('event.')) continue;
        this.failures.inc({ job, kind }, 0);
        this.exhausted.inc({ job, kind }, 0);
      }
    }

    const { readDepth, logger } = options;
    this.depth = new Gauge({
      name: 'evbook_queue_jobs',
      help: 'Notification jobs by state at scrape time (BullMQ, or the outbox in embedded mode)',
      labelNames: ['state'] as const,
      registers: [],
      async collect() {
        try {
          const depth = await readDepth();
          for (const state of QUEUE_STATES) this.set({ state }, depth[state]);
        } catch (error) {
          this.reset();
          logger.debug({ err: error }, 'queue depth unavailable for this scrape');
        }
      },
    });
  }

  /** One failed attempt; `final` when no retry follows. */
  recordFailure(job: JobName, kind: OutboxKind | undefined, final: boolean): void {
    const labels = { job, kind: kind ?? 'unknown' };
    this.failures.inc(labels);
    if (final) this.exhausted.inc(labels);
  }

  /** A job taken back from a worker that lost it. */
  recordStall(): void {
    this.stalls.inc();
  }

  /** Adds what this process reports (see `role`) to `registry`, its `/metrics`. */
  registerOn(registry: Registry): void {
    registry.registerMetric(this.depth);
    if (this.role === 'dispatcher') return;
    registry.registerMetric(this.failures);
    registry.registerMetric(this.exhausted);
    if (this.role === 'worker') registry.registerMetric(this.stalls);
  }
}
