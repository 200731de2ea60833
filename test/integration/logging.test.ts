import { expect } from 'chai';
import { Writable } from 'node:stream';
import { startServer, type RunningServer } from '../../src/api/server.js';
import { createUser } from '../../src/domain/users/users.js';
import { loadConfig } from '../../src/shared/config.js';
import { createLogger } from '../../src/shared/logger.js';
import { signTestToken } from '../helpers/api.js';
import { forEachEngine } from '../helpers/databases.js';
import { eventBody } from '../helpers/fixtures.js';

/** Collects pino's JSON lines in memory. */
class LogCapture extends Writable {
  readonly text: string[] = [];

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text.push(chunk.toString('utf8'));
    done();
  }

  lines(): Array<Record<string, any>> {
    return this.text
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
  }

  of(requestId: string): Array<Record<string, any>> {
    return this.lines().filter((line) => line.requestId === requestId);
  }
}

const PASSWORD = 'hunter2-correct-horse';
const PUBLIC_URL = 'http://evbook.test';

forEachEngine('request logs', (database) => {
  let capture: LogCapture;
  let server: RunningServer;
  let token: string;

  before(async () => {
    capture = new LogCapture();
    const config = loadConfig({
      EVBOOK_DATABASE_URL: database().url,
      EVBOOK_PORT: '0',
      EVBOOK_PUBLIC_URL: PUBLIC_URL,
    });
    const logger = createLogger({ level: 'debug', destination: capture });
    server = await startServer(config, logger, { migrate: false });
  });
  after(async () => server.close());
  beforeEach(async () => {
    const organiser = await createUser(database().db.knex, {
      email: 'o@example.test',
      name: 'O',
      role: 'organiser',
      passwordHash: null,
    });
    token = await signTestToken(database(), PUBLIC_URL, organiser);
  });

  async function send(path: string, init: RequestInit = {}) {
    const res = await fetch(`${server.url}${path}`, init);
    const body = await res.json();
    // pino writes asynchronously; let the lines of this request arrive.
    await new Promise((resolve) => setImmediate(resolve));
    return { res, body, requestId: res.headers.get('x-request-id')! };
  }

  it('binds every line of a request to its id, which the problem quotes as its instance', async () => {
    const { res, body, requestId } = await send('/v1/events', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'x-request-id': 'trace-0042',
      },
      body: JSON.stringify({ title: '' }),
    });

    expect(res.status).to.equal(422);
    expect(requestId).to.equal('trace-0042');
    expect(body.instance).to.equal('urn:evbook:request:trace-0042');
    const lines = capture.of('trace-0042');
    expect(lines.map((line) => line.msg)).to.include.members(['request refused', 'request']);
    for (const line of lines) expect(line).to.include({ requestId: 'trace-0042' });
  });

  it('logs a 4xx at info and a 5xx at error, with the request id', async () => {
    const refused = await send('/v1/events', { headers: { authorization: 'Bearer nope' } });
    expect(refused.res.status).to.equal(401);
    const info = capture.of(refused.requestId).find((line) => line.msg === 'request refused');
    expect(info).to.include({ level: 30, status: 401, code: 'unauthorized' });

    // Hide a table the handler reads, so that it fails as an unexpected error would.
    const knex = database().db.knex;
    await knex.schema.renameTable('events', 'events_hidden');
    let failed;
    try {
      failed = await send('/v1/events', { headers: { authorization: `Bearer ${token}` } });
    } finally {
      await knex.schema.renameTable('events_hidden', 'events');
    }
    expect(failed.res.status).to.equal(500);
    expect(failed.body.detail).to.not.match(/events_hidden|events/);
    const error = capture.of(failed.requestId).find((line) => line.msg === 'request failed');
    expect(error).to.include({ level: 50 });
    expect(error!.err.message).to.match(/events/);
  });

  it('never writes Authorization headers, passwords or tokens', async () => {
    const requests: Array<[string, RequestInit]> = [
      ['/v1/me', { headers: { authorization: `Bearer ${token}` } }],
      ['/v1/events', { headers: { authorization: `Bearer ${token}x` } }],
      [
        '/v1/events',
        {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ ...eventBody(), password: PASSWORD, token }),
        },
      ],
      ['/v1/events', { headers: { authorization: `Basic ${btoa(`o:${PASSWORD}`)}` } }],
    ];
    for (const [path, init] of requests) await send(path, init);

    const logger = createLogger({ level: 'debug', destination: capture });
    logger.info(
      {
        password: PASSWORD,
        token,
        access_token: token,
        refresh_token: token,
        authorization: `Bearer ${token}`,
        req: { headers: { authorization: `Bearer ${token}`, cookie: `sid=${PASSWORD}` } },
        body: { password: PASSWORD, refresh_token: token },
      },
      'redaction check',
    );
    logger.flush();
    await new Promise((resolve) => setImmediate(resolve));

    const all = capture.text.join('');
    expect(all).to.include('redaction check');
    expect(all).to.include('[redacted]');
    for (const secret of [token, token.split('.')[2]!, PASSWORD, btoa(`o:${PASSWORD}`)]) {
      expect(all).to.not.include(secret);
    }
  });
});
