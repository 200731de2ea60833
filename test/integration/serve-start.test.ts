import { expect } from 'chai';
import { migrationStatus } from '../../src/db/migrate.js';
import { signTestToken } from '../helpers/api.js';
import { createTestDatabase, engines, type TestDatabase } from '../helpers/databases.js';
import { SERVE_PUBLIC_URL, spawnServe, type ServeProcess } from '../helpers/serve-process.js';
import { createUser } from '../../src/domain/users/users.js';

for (const dialect of engines()) {
  describe(`several serve processes starting at once [${dialect}]`, function () {
    this.timeout(120_000);
    let database: TestDatabase;
    let servers: ServeProcess[] = [];

    before(async () => {
      database = await createTestDatabase(dialect, false);
    });
    after(async () => {
      await Promise.all(servers.map((server) => server.stop()));
      await database.destroy();
    });

    it('migrate an empty database once, share one signing key and all accept its tokens', async () => {
      servers = await Promise.all(
        [1, 2, 3].map(() => spawnServe(database.url, 60_000, { migrate: true })),
      );

      expect((await migrationStatus(database.db)).pending).to.deep.equal([]);
      const keys = await database.db.knex('signing_keys').select('kid');
      expect(keys).to.have.length(1);

      const user = await createUser(database.db.knex, {
        email: 'c@example.test',
        name: 'C',
        role: 'customer',
        passwordHash: null,
      });
      const token = await signTestToken(database, SERVE_PUBLIC_URL, user);
      for (const server of servers) {
        const res = await fetch(`${server.url}/v1/me`, {
          headers: { authorization: `Bearer ${token}` },
        });
        expect(res.status, server.stderr()).to.equal(200);
        expect((await res.json()).id).to.equal(user.id);
      }
    });
  });
}
