import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { ensureSigningKeys } from '../auth/keys.js';
import { sweepOAuthModels } from '../auth/oauth/adapter.js';
import { createAuthorizationServer, type AuthorizationServer } from '../auth/oauth/provider.js';
import { sweepRateLimits } from '../auth/rate-limit.js';
import { createTokenVerifier, tokenIdentity } from '../auth/tokens.js';
import { assertReachable, openDatabase, type Database } from '../db/connection.js';
import { migrateLatest } from '../db/migrate.js';
import { checkpointInBackground } from '../db/sqlite-checkpointer.js';
import { sweepIdempotencyKeys } from '../domain/bookings/idempotency.js';
import type { Config } from '../shared/config.js';
import type { Logger } from '../shared/logger.js';
import { createApp } from './app.js';
import { answerClientErrors } from './client-errors.js';
import { UnavailableError } from '../shared/errors.js';
import { devicePages } from './oauth/pages/device.js';

export interface ServeOptions {
  /** Apply pending migrations before listening. Default true. */
  migrate?: boolean;
  /** Limits on slow clients; tests shorten them. */
  timeouts?: Partial<ServerTimeouts>;
  /**
   * Background work started once the database is ready and stopped before it closes,
   * e.g. the notification dispatcher (`src/jobs/notifier.ts`). Default none.
   */
  background?: (db: Database) => BackgroundWork | Promise<BackgroundWork>;
}

/** What the server needs to know of its background work. */
export interface BackgroundWork {
  /** For `/readyz`: throws when the job queue is unreachable. */
  checkQueue?: () => Promise<void>;
  /** Adds its own metrics (queue depth, job failures) to `/metrics`. */
  registerMetrics?: (registry: Registry) => void;
  close(): Promise<void>;
}

/** How long a client may take, so slow or stalled ones cannot hold connections. */
export interface ServerTimeouts {
  /** To send the request line and headers. Default 10 s; then a 408 problem. */
  headersMs: number;
  /** To send the whole request, body included. Default 30 s; then a 408 problem. */
  requestMs: number;
  /** An idle kept-alive connection stays open this long. Default 5 s. */
  keepAliveMs: number;
  /** How often connections are checked against the first two. Default 1 s (Node's is 30 s). */
  checkIntervalMs: number;
}

const DEFAULT_TIMEOUTS: ServerTimeouts = {
  headersMs: 10_000,
  requestMs: 30_000,
  keepAliveMs: 5_000,
  checkIntervalMs: 1_000,
};

export interface RunningServer {
  /** Where it listens, e.g. `http://127.0.0.1:3000`. */
  url: string;
  db: Database;
  /** Stops accepting, lets requests in flight finish, then closes the database. */
  close(): Promise<void>;
}

/** Starts `evbook serve`: database, migrations, keys, the Koa app and housekeeping. */
export async function startServer(
  config: Readonly<Config>,
  logger: Logger,
  options: ServeOptions = {},
): Promise<RunningServer> {
  const db = openDatabase(config.databaseUrl, { timeoutMs: config.dbTimeoutMs });
  let oauth: AuthorizationServer;
  try {
    await assertReachable(db, config.databaseUrl);
    if (options.migrate ?? true) await migrate(db, config.databaseUrl, logger);
    await ensureSigningKeys(db.knex);
    oauth = await createAuthorizationServer({
      knex: db.knex,
      publicUrl: config.publicUrl,
      pages: devicePages({ knex: db.knex }),
      onServerError: (error) => logger.error({ err: error }, 'OAuth server error'),
    });
  } catch (error) {
    await db.close();
    throw error;
  }

  const checkpointer =
    db.dialect === 'sqlite'
      ? await checkpointInBackground(db, (reason) =>
          logger.warn(
            { reason },
            'background WAL checkpoint failed; SQLite will checkpoint itself',
          ),
        )
      : undefined;
  const verifier = createTokenVerifier({ knex: db.knex, ...tokenIdentity(config.publicUrl) });
  let background: BackgroundWork | undefined;
  try {
    background = await options.background?.(db);
  } catch (error) {
    await checkpointer?.close();
    await db.close();
    throw error;
  }
  const app = createApp({
    db,
    config,
    logger,
    verifier,
    oauth,
    checkQueue: background?.checkQueue,
    registerMetrics: background?.registerMetrics,
  });
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const server: Server = createServer(
    {
      headersTimeout: timeouts.headersMs,
      requestTimeout: timeouts.requestMs,
      keepAliveTimeout: timeouts.keepAliveMs,
      connectionsCheckingInterval: timeouts.checkIntervalMs,
    },
    app.callback(),
  );
  answerClientErrors(server, logger);
  server.listen(config.port, config.host);
  try {
    await once(server, 'listening');
  } catch (error) {
    await background?.close();
    await checkpointer?.close();
    await db.close();
    const reason = (error as { code?: string }).code ?? String(error);
    throw new UnavailableError(
      'listen_failed',
      `cannot listen on ${config.host}:${config.port} (${reason})`,
      { cause: error },
    );
  }
  const housekeeping = startHousekeeping(db, logger);

  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  logger.info({ url, database: db.dialect }, 'evbook serve is listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    db,
    close: () =>
      (closing ??= (async () => {
        clearInterval(housekeeping);
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        // close() drops only the connections idle at that moment; one kept alive after
        // its last in-flight response would hold the shutdown until keepAliveTimeout.
        const sweep = setInterval(() => server.closeIdleConnections(), 100);
        server.closeIdleConnections();
        await closed;
        clearInterval(sweep);
        await background?.close();
        await checkpointer?.close();
        await db.close();
      })()),
  };
}

/**
 * Applies pending migrations. On PostgreSQL they run on a handle of their own without
 * the request timeouts (`EVBOOK_DB_TIMEOUT_MS`): a migration may rightly take longer
 * than any request should.
 */
async function migrate(db: Database, url: string, logger: Logger): Promise<void> {
  const migrator = db.dialect === 'postgres' ? openDatabase(url) : db;
  try {
    const applied = await migrateLatest(migrator);
    if (applied.length > 0) logger.info({ applied }, 'migrations applied');
  } finally {
    if (migrator !== db) await migrator.close();
  }
}

/**
 * Periodic clean-up. Every process runs it; the deletes are idempotent, so several
 * processes sweeping at once only repeat each other.
 */
function startHousekeeping(db: Database, logger: Logger, intervalMs = 10 * 60 * 1000) {
  const timer = setInterval(() => {
    sweepIdempotencyKeys(db.knex).then(
      (removed) => removed > 0 && logger.info({ removed }, 'expired idempotency keys removed'),
      (error: unknown) => logger.warn({ err: error }, 'idempotency sweep failed'),
    );
    sweepExpiredAuthRows(db).then(
      (removed) => removed > 0 && logger.info({ removed }, 'expired OAuth rows removed'),
      (error: unknown) => logger.warn({ err: error }, 'OAuth sweep failed'),
    );
  }, intervalMs);
  timer.unref();
  return timer;
}

/** Expired OAuth artifacts and finished rate-limit windows. */
async function sweepExpiredAuthRows(db: Database): Promise<number> {
  return (await sweepOAuthModels(db.knex)) + (await sweepRateLimits(db.knex));
}
