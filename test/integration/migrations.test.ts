import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import { MIGRATIONS_DIR } from '../../src/db/connection.js';
import { migrateLatest, migrateRollback, migrationStatus } from '../../src/db/migrate.js';
import { runCli } from '../helpers/cli.js';
import {
  createTestDatabase,
  engines,
  SCHEMA_TABLES as TABLES,
  type TestDatabase,
} from '../helpers/databases.js';

for (const dialect of engines()) {
  describe(`migrations [${dialect}]`, function () {
    this.timeout(120_000);
    let database: TestDatabase;

    beforeEach(async () => {
      database = await createTestDatabase(dialect, false);
    });
    afterEach(async () => database.destroy());

    async function tablesPresent(): Promise<string[]> {
      const present: string[] = [];
      for (const table of TABLES) {
        if (await database.db.knex.schema.hasTable(table)) present.push(table);
      }
      return present;
    }

    it('runs up, down and up again', async () => {
      const applied = await migrateLatest(database.db);
      expect(applied.length).to.be.greaterThanOrEqual(TABLES.length);
      expect(await tablesPresent()).to.deep.equal(TABLES);

      await migrateRollback(database.db, true);
      expect(await tablesPresent()).to.deep.equal([]);
      expect((await migrationStatus(database.db)).completed).to.deep.equal([]);

      await migrateLatest(database.db);
      expect(await tablesPresent()).to.deep.equal(TABLES);
      expect((await migrationStatus(database.db)).pending).to.deep.equal([]);
    });

    it('enforces the stock CHECK constraint as the last line of defence', async () => {
      await migrateLatest(database.db);
      const knex = database.db.knex;
      const now = new Date();
      const user = { id: '018f0000-0000-7000-8000-000000000001', created_at: now };
      await knex('users').insert({
        ...user,
        email: 'o@example.test',
        name: 'O',
        role: 'organiser',
        updated_at: now,
      });
      await knex('organisers').insert({ user_id: user.id, display_name: 'O', created_at: now });
      const event = {
        id: '018f0000-0000-7000-8000-000000000002',
        organiser_id: user.id,
        title: 'T',
        description: '',
        venue: 'V',
        starts_at: new Date(now.getTime() + 1e6),
        ends_at: new Date(now.getTime() + 2e6),
        currency: 'EUR',
        status: 'published',
        created_at: now,
        updated_at: now,
      };
      await knex('events').insert(event);
      const type = {
        id: '018f0000-0000-7000-8000-000000000003',
        event_id: event.id,
        name: 'G',
        description: '',
        price: 100,
        quantity: 5,
        sold: 5,
        max_per_booking: 5,
        created_at: now,
        updated_at: now,
      };
      await knex('ticket_types').insert(type);
      let failure: unknown;
      try {
        await knex('ticket_types').where({ id: type.id }).update({ sold: 6 });
      } catch (error) {
        failure = error;
      }
      expect(failure, 'sold above quantity must be refused').to.be.instanceOf(Error);
      expect((await knex('ticket_types').where({ id: type.id }).first()).sold).to.equal(5);
    });

    it('lets several processes migrate one empty database at the same time', async () => {
      const runs = await Promise.all(
        [1, 2, 3].map(() => runCli(['migrate'], { EVBOOK_DATABASE_URL: database.url })),
      );
      for (const run of runs) expect(run.code, run.stdout + run.stderr).to.equal(0);
      const status = await migrationStatus(database.db);
      expect(status.pending).to.deep.equal([]);
      expect(await tablesPresent()).to.deep.equal(TABLES);
    });

    it('reports status, and rolls back the last batch from the command line', async () => {
      const env = { EVBOOK_DATABASE_URL: database.url };
      const before = await runCli(['migrate', 'status'], env);
      expect(before.code).to.equal(0);
      // Every migration file is pending; some alter a table instead of creating one.
      const files = readdirSync(MIGRATIONS_DIR).filter((name) => name.endsWith('.js'));
      expect(before.stdout).to.match(new RegExp(`^${files.length} pending, 0 applied`));

      expect((await runCli(['migrate', 'latest'], env)).stdout).to.match(/^applied:/);
      expect((await runCli(['migrate'], env)).stdout).to.equal('already up to date\n');

      const rollback = await runCli(['migrate', 'rollback'], env);
      expect(rollback.code).to.equal(0);
      expect(rollback.stdout).to.match(/^reverted:/);
      expect((await migrationStatus(database.db)).completed).to.deep.equal([]);
    });
  });
}
