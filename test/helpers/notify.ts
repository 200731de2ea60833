import type { Knex } from '../../src/db/connection.js';
import { toInt } from '../../src/db/sql.js';
import { loadConfig, type Config } from '../../src/shared/config.js';
import type { TestDatabase } from './databases.js';

/** The configuration of a notifier or worker under test: fast polls and back-off. */
export function notifyConfig(
  database: TestDatabase,
  env: Record<string, string> = {},
): Readonly<Config> {
  return loadConfig({
    EVBOOK_DATABASE_URL: database.url,
    EVBOOK_PUBLIC_URL: 'http://evbook.test',
    EVBOOK_LOG_LEVEL: 'silent',
    EVBOOK_OUTBOX_POLL_MS: '50',
    EVBOOK_JOB_BACKOFF_MS: '100',
    EVBOOK_JOB_ATTEMPTS: '5',
    ...env,
  });
}

/** Outbox rows not yet dispatched (failed ones included). */
export async function undispatched(knex: Knex): Promise<number> {
  const row = await knex('outbox').whereNull('dispatched_at').count({ n: '*' }).first();
  return toInt(row?.n);
}

export async function notificationCount(knex: Knex): Promise<number> {
  const row = await knex('notifications').count({ n: '*' }).first();
  return toInt(row?.n);
}
