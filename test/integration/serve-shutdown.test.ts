import { expect } from 'chai';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { createUser } from '../../src/domain/users/users.js';
import { signTestToken } from '../helpers/api.js';
import { createTestDatabase, engines, type TestDatabase } from '../helpers/databases.js';
import { eventBody } from '../helpers/fixtures.js';
import { SERVE_PUBLIC_URL, spawnServe, type ServeProcess } from '../helpers/serve-process.js';

/**
 * `evbook serve` on SIGTERM: stops accepting connections, lets the requests in
 * flight finish, closes the database and exits 0 within a bound. Runs the compiled
 * `bin/evbook` (`npm run build` first; `npm test` does it).
 */
for (const dialect of engines()) {
  describe(`SIGTERM to evbook serve [${dialect}]`, function () {
    this.timeout(90_000);
    let database: TestDatabase;
    let serve: ServeProcess | undefined;

    before(async () => {
      database = await createTestDatabase(dialect);
    });
    after(async () => {
      await serve?.stop();
      await database.destroy();
    });

    it('finishes the requests in flight, refuses new connections and exits 0 within 10 s', async () => {
      serve = await spawnServe(database.url);
      const organiser = await createUser(database.db.knex, {
        email: 'o@example.test',
        name: 'O',
        role: 'organiser',
        passwordHash: null,
      });
      const token = await signTestToken(database, SERVE_PUBLIC_URL, organiser);
      const url = new URL(serve.url);

      // Two requests in flight: their headers are read (the server said 100 Continue),
      // their bodies not yet sent.
      const body = JSON.stringify(eventBody());
      const inFlight = await Promise.all(
        [1, 2].map(() => startRequest(url, token, Buffer.byteLength(body))),
      );

      const exited = once(serve.child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
      serve.child.kill('SIGTERM');

      await untilRefused(url);
      // write, not end: Node aborts the request of a client that half-closes.
      for (const request of inFlight) request.socket.write(body);
      const answers = await Promise.all(inFlight.map((request) => request.answer));
      for (const answer of answers) expect(answer, serve.stderr()).to.match(/^HTTP\/1\.1 201 /);

      const bound = new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('serve did not exit within 10 s')), 10_000).unref(),
      );
      const [code, signal] = await Promise.race([exited, bound]);
      expect({ code, signal }, serve.stderr()).to.deep.equal({ code: 0, signal: null });
      expect(await database.db.knex('events').count({ n: '*' })).to.satisfy(
        (rows: Array<{ n: unknown }>) => Number(rows[0]!.n) === 2,
      );
    });
  });
}

interface PendingRequest {
  socket: Socket;
  /** Everything the server sent after its 100 Continue, once the server closes the connection. */
  answer: Promise<string>;
}

/** Sends the head of `POST /v1/events` and resolves once the server answers 100 Continue. */
async function startRequest(url: URL, token: string, length: number): Promise<PendingRequest> {
  const socket = connect(Number(url.port), url.hostname);
  await once(socket, 'connect');
  socket.write(
    'POST /v1/events HTTP/1.1\r\n' +
      `Host: ${url.host}\r\n` +
      `Authorization: Bearer ${token}\r\n` +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${length}\r\n` +
      'Expect: 100-continue\r\n\r\n',
  );
  let received = '';
  let continued: () => void;
  const isContinued = new Promise<void>((resolve) => (continued = resolve));
  const answer = new Promise<string>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('utf8');
      const interim = /^HTTP\/1\.1 100 Continue\r\n\r\n/.exec(received);
      if (interim) {
        received = received.slice(interim[0].length);
        continued();
      }
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(received));
  });
  await isContinued;
  return { socket, answer };
}

/** Resolves once a new connection to `url` is refused; fails after 10 s. */
async function untilRefused(url: URL): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect(Number(url.port), url.hostname);
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', (error: NodeJS.ErrnoException) =>
        resolve(error.code === 'ECONNREFUSED'),
      );
    });
    if (refused) return;
    if (Date.now() > deadline)
      throw new Error('serve still accepts connections 10 s after SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
