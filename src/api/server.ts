import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ensureSigningKeys } from '../auth/keys.js';
import { sweepOAuthModels } from '../auth/oauth/adapter.js';
import { createAuthorizationServer, type AuthorizationServer } from '../auth/oauth/provider.js';
import { sweepRateLimits } from '../auth/rate-limit.js';
import { createTokenVerifier, tokenIdentity } from '../auth/tokens.js';
import { openDatabase, type Database } from '../db/connection.js';
import { migrateLatest } from '../db/migrate.js';
import { sweepIdempotencyKeys } from '../domain/bookings/idempotency.js';
import type { Config } from '../shared/config.js';
import type { Logger } from '../shared/logger.js';
import { createApp } from './app.js';
import { devicePages } from './oauth/pages/device.js';

export interface ServeOptions {
  /** Apply pending migrations before listening. Default true. */
  migrate?: boolean;
}

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
  const db = openDatabase(config.databaseUrl);
  let oauth: AuthorizationServer;
  try {
    if (options.migrate ?? true) {
      const applied = await migrateLatest(db);
      if (applied.length > 0) logger.info({ applied }, 'migrations applied');
    }
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

  const verifier = createTokenVerifier({ knex: db.knex, ...tokenIdentity(config.publicUrl) });
  const app = createApp({ db, config, logger, verifier, oauth });
  const server: Server = app.listen(config.port, config.host);
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 5_000;
  await once(server, 'listening');
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
        server.closeIdleConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await db.close();
      })()),
  };
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
