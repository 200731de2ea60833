import { UnrecoverableError, Worker, type Job, type Queue } from 'bullmq';
import type { Database } from '../db/connection.js';
import type { Config } from '../shared/config.js';
import { isAppError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { deliverEmail, deliverEmails } from './deliver.js';
import { handleOutbox } from './handle-outbox.js';
import type { Mailer } from './mailers/mailer.js';
import {
  EMAILS_PER_JOB,
  JOB_NAMES,
  NOTIFICATIONS_QUEUE,
  type Email,
  type EmailJobData,
  type EmailsJobData,
  type OutboxJobData,
} from './names.js';
import type { JobMetrics, JobName } from './metrics.js';
import { loadOutbox } from './outbox-store.js';
import { redisConnection } from './redis.js';

export interface WorkerOptions {
  config: Readonly<Config>;
  db: Database;
  /** The notifications queue, where a fan-out adds its email jobs. */
  queue: Queue;
  mailer: Mailer;
  logger: Logger;
  /** Jobs processed at once by this process. Default 10. */
  concurrency?: number;
  /** Where failed attempts and stalled jobs are counted. Default: not counted. */
  metrics?: JobMetrics;
}

/**
 * BullMQ job id of a run of fan-out emails (`:` is reserved by BullMQ, hence the
 * dots): the outbox id and the first and last recipient. Expanding the same change
 * again (its outbox job retried) gives the same ids while the holders are the same,
 * so BullMQ adds nothing twice.
 */
function emailsJobId(emails: Email[]): string {
  const recipient = (email: Email) => email.dedupeKey.slice(email.dedupeKey.indexOf(':') + 1);
  return `${emails[0]!.outboxId}.${recipient(emails[0]!)}.${recipient(emails.at(-1)!)}`;
}

/** Splits a page of emails into the runs that become one job each. */
function runsOf(emails: Email[]): Email[][] {
  const runs: Email[][] = [];
  for (let i = 0; i < emails.length; i += EMAILS_PER_JOB)
    runs.push(emails.slice(i, i + EMAILS_PER_JOB));
  return runs;
}

/**
 * `evbook worker`: consumes the notifications queue. An `outbox` job delivers its
 * booking email, or expands an event change into `emails` jobs of up to
 * `EMAILS_PER_JOB` emails, one page of holders per `addBulk`. An `emails` job checks
 * what was sent in one query, then sends and records each email on its own, and past a
 * failed send goes on with the others before failing (its retry skips what was sent).
 * A job whose worker died is taken over once its lock (`EVBOOK_JOB_LOCK_MS`) expires;
 * the notifications table keeps an email from being sent twice once recorded.
 */
export function startWorker(options: WorkerOptions): Worker {
  const { config, db, queue, mailer, logger } = options;
  const handlerDeps = { db, logger, publicUrl: config.publicUrl };
  const deliverDeps = { knex: db.knex, mailer, logger };

  async function processJob(job: Job): Promise<string> {
    if (job.name === JOB_NAMES.emails) {
      const sent = await deliverEmails(deliverDeps, (job.data as EmailsJobData).emails);
      return `sent ${sent}`;
    }
    if (job.name === JOB_NAMES.email) {
      return deliverEmail(deliverDeps, job.data as EmailJobData);
    }
    const entry = await loadOutbox(db.knex, (job.data as OutboxJobData).outboxId);
    if (!entry) return 'missing';
    await handleOutbox(handlerDeps, entry, {
      deliver: async (email) => {
        await deliverEmail(deliverDeps, email);
      },
      fanOut: async (emails) => {
        await queue.addBulk(
          runsOf(emails).map((run) => ({
            name: JOB_NAMES.emails,
            data: { emails: run, kind: entry.kind } satisfies EmailsJobData,
            opts: { jobId: emailsJobId(run) },
          })),
        );
      },
    });
    return 'done';
  }

  const worker = new Worker(
    NOTIFICATIONS_QUEUE,
    async (job) => {
      try {
        return await processJob(job);
      } catch (error) {
        // A non-retryable AppError (bad data) fails at once; anything else backs off.
        if (isAppError(error) && !error.retryable) throw new UnrecoverableError(error.message);
        throw error;
      }
    },
    {
      connection: redisConnection(config.redisUrl!),
      prefix: config.queuePrefix,
      concurrency: options.concurrency ?? 10,
      lockDuration: config.jobLockMs,
      stalledInterval: config.jobLockMs,
      maxStalledCount: 2,
    },
  );

  worker.on('failed', (job, error) => {
    if (!job) return;
    const log = logger.child({ jobId: job.id, job: job.name, attempt: job.attemptsMade });
    const final = isFinalFailure(job, error);
    const data = job.data as Partial<OutboxJobData | EmailJobData | EmailsJobData>;
    options.metrics?.recordFailure(job.name as JobName, data.kind, final);
    if (!final) log.warn({ err: error }, 'job failed; will retry');
    else log.error({ err: error }, 'job failed; attempts exhausted, kept as failed');
  });
  worker.on('stalled', (jobId) => {
    options.metrics?.recordStall();
    logger.warn({ jobId }, 'job stalled (its worker died or blocked); taken back');
  });
  worker.on('error', (error) => logger.warn({ err: error }, 'worker error'));
  return worker;
}

/**
 * True when BullMQ keeps the job as failed instead of retrying it: its attempts are used
 * up, or the error is not retryable (`UnrecoverableError`). BullMQ decides the same way
 * (`attemptsMade` already counts the attempt that just failed).
 */
function isFinalFailure(job: Job, error: Error): boolean {
  return error instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
}
