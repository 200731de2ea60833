import type { Registry } from 'prom-client';
import type { Database } from '../db/connection.js';
import type { Config } from '../shared/config.js';
import type { Logger } from '../shared/logger.js';
import { startDispatcher } from './dispatcher.js';
import { createMailer } from './mailers/create.js';
import { JobMetrics } from './metrics.js';
import { createEmbeddedTransport } from './transports/embedded.js';
import type { Transport } from './transports/transport.js';

/** What `serve` runs for notifications. */
export interface Notifier {
  mode: 'embedded' | 'redis';
  /** For `/readyz`: throws when the queue is unreachable; absent in embedded mode. */
  checkQueue?: () => Promise<void>;
  /** Adds the queue depth (and, in embedded mode, the job failures) to `/metrics`. */
  registerMetrics(registry: Registry): void;
  /** Stops dispatching (the pass in progress finishes) and closes the queue or mailer. */
  close(): Promise<void>;
}

/**
 * Starts the outbox dispatcher of `serve`. Without `EVBOOK_REDIS_URL` it sends the
 * emails itself (embedded mode); with it, it only hands rows to BullMQ for
 * `evbook worker` processes. BullMQ and ioredis (about 20 MB resident) are loaded only
 * in that second case.
 */
export async function startNotifier(
  config: Readonly<Config>,
  db: Database,
  logger: Logger,
): Promise<Notifier> {
  const log = logger.child({ component: 'notifier' });
  const role = config.redisUrl ? 'dispatcher' : 'embedded';
  const metrics: JobMetrics = new JobMetrics({
    role,
    readDepth: () => transport.readDepth(),
    logger: log,
  });
  const transport: Transport = config.redisUrl
    ? await redisTransport(config, db, log)
    : createEmbeddedTransport({
        db,
        mailer: createMailer(config, log),
        logger: log,
        publicUrl: config.publicUrl,
        maxAttempts: config.jobAttempts,
        backoffMs: config.jobBackoffMs,
        // Renewed only per row and per page of a fan-out, so longer than a job lock.
        leaseMs: config.jobLockMs * 10,
        metrics,
      });
  const dispatcher = startDispatcher({ db, transport, logger: log, pollMs: config.outboxPollMs });
  return {
    mode: transport.mode,
    checkQueue: transport.check,
    registerMetrics: (registry) => metrics.registerOn(registry),
    async close() {
      await dispatcher.close();
      await transport.close();
    },
  };
}

async function redisTransport(
  config: Readonly<Config>,
  db: Database,
  logger: Logger,
): Promise<Transport> {
  const [{ openQueue }, { createBullTransport }] = await Promise.all([
    import('./redis.js'),
    import('./transports/bullmq.js'),
  ]);
  return createBullTransport({ db, queue: openQueue(config, logger) });
}
