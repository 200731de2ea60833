import { setTimeout as sleep } from 'node:timers/promises';
import type { Database } from './connection.js';

export interface MigrationStatus {
  completed: string[];
  pending: string[];
}

export interface MigrateOptions {
  /** How long to wait for another process's migration run to finish. Default 60 s. */
  lockTimeoutMs?: number;
}

/**
 * Applies every pending migration. Several processes may call this at once (a fleet
 * of `serve` processes starting together): Knex lets only one hold the migration
 * lock and fails the others, who wait and try again until nothing is pending.
 * Returns the names applied by this call.
 */
export async function migrateLatest(db: Database, options: MigrateOptions = {}): Promise<string[]> {
  const deadline = Date.now() + (options.lockTimeoutMs ?? 60_000);
  for (let attempt = 0; ; attempt++) {
    try {
      const [, applied] = (await db.knex.migrate.latest()) as [number, string[]];
      return applied;
    } catch (error) {
      if (!isMigrationRace(error) || Date.now() > deadline) throw error;
      await sleep(Math.min(50 * 2 ** attempt, 500) + Math.random() * 50);
    }
  }
}

/** Reverts the last batch of migrations; returns the names reverted. */
export async function migrateRollback(db: Database, all = false): Promise<string[]> {
  const [, reverted] = (await db.knex.migrate.rollback(undefined, all)) as [number, string[]];
  return reverted;
}

/** Which migrations have run and which are pending. */
export async function migrationStatus(db: Database): Promise<MigrationStatus> {
  const [completed, pending] = (await db.knex.migrate.list()) as [
    Array<{ name: string }>,
    Array<{ file: string }>,
  ];
  return { completed: completed.map((m) => m.name), pending: pending.map((m) => m.file) };
}

/**
 * True for the failures a concurrent migration run causes: the lock is held, or
 * two processes created Knex's bookkeeping tables at the same moment.
 */
function isMigrationRace(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'MigrationLocked' || /already locked/i.test(error.message)) return true;
  const code = (error as { code?: string }).code;
  // 42P07 duplicate_table, 23505 unique_violation (pg_type row of a table being created).
  if ((code === '42P07' || code === '23505') && /knex_migrations/.test(error.message)) return true;
  return /knex_migrations.*already exists|already exists.*knex_migrations/i.test(error.message);
}
