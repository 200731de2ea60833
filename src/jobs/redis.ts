import { Queue, type ConnectionOptions, type DefaultJobOptions } from 'bullmq';
import type { Config } from '../shared/config.js';
import type { Logger } from '../shared/logger.js';
import { withTimeout } from './backoff.js';
import type { QueueDepth } from './metrics.js';
import { NOTIFICATIONS_QUEUE } from './names.js';

/**
 * ioredis options from `redis://[user:pass@]host:port[/db]` (or `rediss://` for TLS).
 * Reconnects every 200 ms to 2 s while Redis is away (ioredis' own curve grows to
 * 20 s), so notifications resume soon after Redis comes back.
 */
export function redisConnection(url: string): ConnectionOptions {
  const parsed = new URL(url);
  const db = Number(parsed.pathname.slice(1) || '0');
  return {
    host: parsed.hostname || '127.0.0.1',
    port: Number(parsed.port || 6379),
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db: Number.isInteger(db) ? db : 0,
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
    retryStrategy: (times: number) => Math.min(200 * times, 2000),
  };
}

/**
 * Options of every notification job: exponential back-off from `EVBOOK_JOB_BACKOFF_MS`,
 * `EVBOOK_JOB_ATTEMPTS` attempts, failed jobs kept for inspection and retry, completed
 * ones kept a day (bounded) so that a repeated job id is still recognised.
 */
export function jobOptions(config: Readonly<Config>): DefaultJobOptions {
  return {
    attempts: config.jobAttempts,
    backoff: { type: 'exponential', delay: config.jobBackoffMs },
    removeOnComplete: { age: 24 * 3600, count: 100_000 },
    removeOnFail: false,
  };
}

/** The notifications queue, for adding jobs and inspecting them. */
export function openQueue(config: Readonly<Config>, logger: Logger): Queue {
  const queue = new Queue(NOTIFICATIONS_QUEUE, {
    connection: redisConnection(config.redisUrl!),
    prefix: config.queuePrefix,
    defaultJobOptions: jobOptions(config),
  });
  // Without a listener a lost connection would be an unhandled 'error' event.
  queue.on('error', (error) => logger.debug({ err: error }, 'queue connection error'));
  return queue;
}

/**
 * The notifications queue by state, from BullMQ's job counts; gives up after
 * `timeoutMs` (default 1 s) when Redis does not answer. `waiting` includes prioritized
 * jobs (none today: no job sets a priority).
 */
export async function queueDepth(queue: Queue, timeoutMs = 1000): Promise<QueueDepth> {
  const counts = await withTimeout(
    queue.getJobCounts('wait', 'prioritized', 'active', 'delayed', 'failed'),
    timeoutMs,
    'asking Redis for the job counts',
  );
  const count = (state: string) => counts[state] ?? 0;
  return {
    waiting: count('wait') + count('prioritized'),
    active: count('active'),
    delayed: count('delayed'),
    failed: count('failed'),
  };
}

/**
 * Closes `queue`, waiting at most `timeoutMs` (default 2 s) for Redis to acknowledge.
 * A Redis that accepts connections but never answers would otherwise hold shutdown
 * forever (the client waits for the reply to QUIT); past the bound the connection is
 * dropped without a goodbye, which loses nothing: every write was already answered.
 */
export async function closeQueue(queue: Queue, timeoutMs = 2000): Promise<void> {
  try {
    await withTimeout(queue.close(), timeoutMs, 'closing the Redis queue');
  } catch {
    await queue.disconnect();
  }
}
