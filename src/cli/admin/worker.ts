import { collectDefaultMetrics, Registry } from 'prom-client';
import { openDatabase } from '../../db/connection.js';
import { createMailer } from '../../jobs/mailers/create.js';
import { JobMetrics } from '../../jobs/metrics.js';
import { serveMetrics, type MetricsServer } from '../../jobs/metrics-server.js';
import { closeQueue, openQueue, queueDepth } from '../../jobs/redis.js';
import { startWorker } from '../../jobs/worker.js';
import { ConfigError, UsageError } from '../../shared/errors.js';
import type { Config } from '../../shared/config.js';
import { createLogger, type Logger } from '../../shared/logger.js';
import { adminConfig, type AdminFlags } from './admin-config.js';

export interface WorkerFlags extends AdminFlags {
  concurrency?: string;
}

/**
 * `evbook worker`: consumes the notification jobs on Redis until SIGTERM or SIGINT,
 * then lets the jobs in hand finish and exits 0. With `EVBOOK_WORKER_METRICS_PORT`
 * (`--metrics-port`) it serves its own `/metrics`: its job failures, stalled jobs,
 * the queue depth and its process metrics.
 */
export async function runWorker(flags: WorkerFlags): Promise<void> {
  const concurrency = Number(flags.concurrency ?? '10');
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 1000) {
    throw new UsageError('usage', '--concurrency must be a whole number from 1 to 1000');
  }
  const config = adminConfig(flags);
  if (!config.redisUrl) {
    throw new ConfigError(
      'EVBOOK_REDIS_URL must be set for evbook worker (without Redis, evbook serve sends notifications itself)',
    );
  }

  const logger = createLogger({ level: config.logLevel });
  const queue = openQueue(config, logger);
  const metrics = new JobMetrics({ role: 'worker', readDepth: () => queueDepth(queue), logger });
  let metricsServer: MetricsServer | undefined;
  try {
    metricsServer = await startMetricsServer(config, metrics, logger);
  } catch (error) {
    // A taken port: nothing else is open yet but the queue, which would keep the
    // process alive after the one-line error.
    await closeQueue(queue);
    throw error;
  }

  const db = openDatabase(config.databaseUrl, { timeoutMs: config.dbTimeoutMs });
  const mailer = createMailer(config, logger);
  const worker = startWorker({ config, db, queue, mailer, logger, concurrency, metrics });
  logger.info(
    { concurrency, mailer: mailer.kind, database: db.dialect, metrics: metricsServer?.url },
    'evbook worker is running',
  );

  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      logger.info({ signal }, 'finishing the jobs in hand, then exiting');
      resolve();
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });

  try {
    await worker.close();
  } finally {
    await closeQueue(queue);
    await mailer.close();
    await db.close();
    await metricsServer?.close();
    logger.info('evbook worker stopped');
    logger.flush();
  }
}

/**
 * The worker's own `/metrics` when `EVBOOK_WORKER_METRICS_PORT` (`--metrics-port`) is
 * set: its job metrics and its process metrics, under the same `evbook_` prefix as
 * `serve`'s. Throws an UnavailableError (exit 75) when the port is taken.
 */
async function startMetricsServer(
  config: Readonly<Config>,
  metrics: JobMetrics,
  logger: Logger,
): Promise<MetricsServer | undefined> {
  if (config.workerMetricsPort === undefined) return undefined;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'evbook_' });
  metrics.registerOn(registry);
  return serveMetrics(registry, { host: config.host, port: config.workerMetricsPort }, logger);
}
