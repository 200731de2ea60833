import { Queue, type ConnectionOptions, type DefaultJobOptions } from 'bullmq';
import type { Config } from '../shared/config.js';
import type { Logger } from '../shared/logger.js';
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
