import { openDatabase } from '../../db/connection.js';
import { createMailer } from '../../jobs/mailers/create.js';
import { openQueue } from '../../jobs/redis.js';
import { startWorker } from '../../jobs/worker.js';
import { ConfigError, UsageError } from '../../shared/errors.js';
import { createLogger } from '../../shared/logger.js';
import { adminConfig, type AdminFlags } from './admin-config.js';

export interface WorkerFlags extends AdminFlags {
  concurrency?: string;
}

/**
 * `evbook worker`: consumes the notification jobs on Redis until SIGTERM or SIGINT,
 * then lets the jobs in hand finish and exits 0.
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
  const db = openDatabase(config.databaseUrl, { timeoutMs: config.dbTimeoutMs });
  const queue = openQueue(config, logger);
  const mailer = createMailer(config, logger);
  const worker = startWorker({ config, db, queue, mailer, logger, concurrency });
  logger.info(
    { concurrency, mailer: mailer.kind, database: db.dialect },
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
    await queue.close();
    await mailer.close();
    await db.close();
    logger.info('evbook worker stopped');
    logger.flush();
  }
}
