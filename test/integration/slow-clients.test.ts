import { expect } from 'chai';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { startServer, type RunningServer } from '../../src/api/server.js';
import { loadConfig } from '../../src/shared/config.js';
import { createLogger } from '../../src/shared/logger.js';
import { createUser } from '../../src/domain/users/users.js';
import { signTestToken } from '../helpers/api.js';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js';

/**
 * Slow-client protection: a client that trickles its headers or its body is
 * answered 408 problem+json and disconnected, instead of holding a connection
 * forever. The limits are shortened here; in `serve` they are 10 s and 30 s.
 */
describe('slow clients', function () {
  this.timeout(30_000);
  let database: TestDatabase;
  let server: RunningServer;
  let url: URL;

  before(async () => {
    database = await createTestDatabase('sqlite');
    const config = loadConfig({
      EVBOOK_DATABASE_URL: database.url,
      EVBOOK_PORT: '0',
      EVBOOK_PUBLIC_URL: 'http://evbook.test',
    });
    server = await startServer(config, createLogger({ level: 'silent' }), {
      migrate: false,
      timeouts: { headersMs: 500, requestMs: 1_000, checkIntervalMs: 100 },
    });
    url = new URL(server.url);
  });
  after(async () => {
    await server.close();
    await database.destroy();
  });

  /** Opens a connection, sends `head`, then one more byte of `trickle` every 100 ms. */
  async function trickle(head: string, drip: string): Promise<string> {
    const socket: Socket = connect(Number(url.port), url.hostname);
    await once(socket, 'connect');
    socket.write(head);
    const timer = setInterval(() => socket.writable && socket.write(drip), 100);
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
    const closed = new Promise<void>((resolve) => {
      socket.on('close', () => resolve());
      socket.on('error', () => resolve());
    });
    const bound = new Promise<void>((resolve) =>
      setTimeout(() => {
        socket.destroy();
        resolve();
      }, 10_000).unref(),
    );
    await Promise.race([closed, bound]);
    clearInterval(timer);
    return received;
  }

  function expectTimeoutProblem(answer: string): void {
    expect(answer).to.match(/^HTTP\/1\.1 408 /);
    expect(answer).to.match(/\r\nContent-Type: application\/problem\+json\r\n/i);
    const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
    expect(body).to.include({ status: 408, code: 'request_timeout' });
  }

  it('answers 408 problem+json and disconnects a client that trickles its headers', async () => {
    const answer = await trickle('GET /v1/events HTTP/1.1\r\nHost: evbook.test\r\nX-Slow: ', 'a');
    expectTimeoutProblem(answer);
  });

  it('answers 408 problem+json and disconnects a client that trickles its body', async () => {
    const organiser = await createUser(database.db.knex, {
      email: 'slow@example.test',
      name: 'Slow',
      role: 'organiser',
      passwordHash: null,
    });
    const token = await signTestToken(database, 'http://evbook.test', organiser);
    const answer = await trickle(
      'POST /v1/events HTTP/1.1\r\nHost: evbook.test\r\nContent-Type: application/json\r\n' +
        `Authorization: Bearer ${token}\r\nContent-Length: 100000\r\n\r\n{"title":"`,
      'a',
    );
    expectTimeoutProblem(answer);
    expect(await database.db.knex('events').count({ n: '*' })).to.satisfy(
      (rows: Array<{ n: unknown }>) => Number(rows[0]!.n) === 0,
    );
  });
});
