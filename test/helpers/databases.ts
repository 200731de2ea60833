import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database, type Dialect } from '../../src/db/connection.js';
import { migrateLatest } from '../../src/db/migrate.js';

/** A migrated, throw-away database of one engine, with the URL a server can open. */
export interface TestDatabase {
  dialect: Dialect;
  url: string;
  db: Database;
  /** Empties every table but the migrations and signing keys. */
  reset(): Promise<void>;
  destroy(): Promise<void>;
}

/** Every table of the schema, in the order the migrations create them. */
export const SCHEMA_TABLES = [
  'users',
  'organisers',
  'customers',
  'events',
  'ticket_types',
  'bookings',
  'booking_items',
  'idempotency_keys',
  'outbox',
  'notifications',
  'signing_keys',
  'oauth_models',
  'cookie_keys',
  'rate_limits',
];

/** The tables emptied between tests: all but the signing keys, children first. */
export const DATA_TABLES = [
  'oauth_models',
  'rate_limits',
  'notifications',
  'outbox',
  'idempotency_keys',
  'booking_items',
  'bookings',
  'ticket_types',
  'events',
  'customers',
  'organisers',
  'users',
];

/** The engines this run tests: SQLite always, PostgreSQL when a server is configured. */
export function engines(): Dialect[] {
  return process.env.EVBOOK_TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];
}

let counter = 0;

/** Creates an empty database (not migrated when `migrate` is false). */
export async function createTestDatabase(dialect: Dialect, migrate = true): Promise<TestDatabase> {
  const made = dialect === 'sqlite' ? createSqlite() : await createPostgres();
  if (migrate) await migrateLatest(made.db);
  return made;
}

function createSqlite(): TestDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'evbook-test-'));
  const url = `sqlite:${join(dir, 'test.sqlite')}`;
  const db = openDatabase(url);
  return {
    dialect: 'sqlite',
    url,
    db,
    async reset() {
      for (const table of DATA_TABLES) await db.knex(table).delete();
    },
    async destroy() {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function createPostgres(): Promise<TestDatabase> {
  const adminUrl = process.env.EVBOOK_TEST_DATABASE_URL!;
  const name = `evbook_test_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  const admin = openDatabase(adminUrl, { poolMax: 1 });
  await admin.knex.raw(`create database ${name}`);
  await admin.close();

  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = openDatabase(url.toString(), { poolMax: 20 });
  return {
    dialect: 'postgres',
    url: url.toString(),
    db,
    async reset() {
      await db.knex.raw(`truncate ${DATA_TABLES.join(', ')} cascade`);
    },
    async destroy() {
      await db.close();
      const dropper = openDatabase(adminUrl, { poolMax: 1 });
      await dropper.knex.raw(`drop database if exists ${name} with (force)`);
      await dropper.close();
    },
  };
}

/**
 * Declares `body` once per engine, each inside its own describe with a fresh
 * database; tables are emptied before every test. Without a PostgreSQL server
 * (outside CI), a pending test says plainly that those suites did not run.
 */
export function forEachEngine(
  title: string,
  body: (get: () => TestDatabase, dialect: Dialect) => void,
): void {
  for (const dialect of engines()) {
    describe(`${title} [${dialect}]`, function () {
      let database: TestDatabase | undefined;
      before(async function () {
        this.timeout(60_000);
        database = await createTestDatabase(dialect);
      });
      after(async () => database?.destroy());
      beforeEach(async () => database!.reset());
      body(() => database!, dialect);
    });
  }
  if (!engines().includes('postgres')) {
    describe(`${title} [postgres]`, () => {
      it('was NOT run: set EVBOOK_TEST_DATABASE_URL=postgres://... to run it');
    });
  }
}
