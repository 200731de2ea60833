/**
 * Booking requests per second over HTTP on embedded SQLite, against a bare Koa JSON
 * route measured in the same run. Absolute numbers vary between machines; the ratio
 * is what this prints and compares with the target. Run: `npm run bench`.
 */
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importJWK, SignJWT } from 'jose';
import { loadSigningKeys } from '../src/auth/keys.js';
import { tokenIdentity } from '../src/auth/tokens.js';
import { openDatabase } from '../src/db/connection.js';
import { createUser } from '../src/domain/users/users.js';

const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = (process.env.BENCH_CONNECTIONS ?? '16,64').split(',').map(Number);
const TARGET_RATIO = 0.35;
const PUBLIC_URL = 'http://evbook.bench';
const ROOT = fileURLToPath(new URL('..', import.meta.url));

function start(command: string, args: string[], env: Record<string, string>): ChildProcess {
  return spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

async function waitForReady(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} never became ready`);
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve) =>
    child.stdout!.once('data', (chunk: Buffer) => resolve(chunk.toString().trim())),
  );
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function load(options: autocannon.Options): Promise<autocannon.Result> {
  return autocannon({ duration: DURATION_S, ...options });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'evbook-bench-'));
  const databaseUrl = `sqlite:${join(dir, 'bench.sqlite')}`;
  const port = 3900 + Math.floor(Math.random() * 90);
  const rows: Array<Record<string, string | number>> = [];

  const bare = start(process.execPath, ['--import', 'tsx', 'bench/bare-koa.ts'], {});
  const barePort = await firstLine(bare);
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const serve = start(
    process.execPath,
    [...nodeArgs, 'bin/evbook', 'serve', '--port', String(port)],
    {
      EVBOOK_DATABASE_URL: databaseUrl,
      EVBOOK_PUBLIC_URL: PUBLIC_URL,
      EVBOOK_LOG_LEVEL: 'warn',
    },
  );
  try {
    await waitForReady(`http://127.0.0.1:${port}/readyz`);
    const db = openDatabase(databaseUrl);
    const organiser = await createUser(db.knex, {
      email: 'o@bench.test',
      name: 'O',
      role: 'organiser',
      passwordHash: null,
    });
    const [key] = await loadSigningKeys(db.knex);
    const signing = await importJWK(key!.privateJwk, key!.alg);
    const identity = tokenIdentity(PUBLIC_URL);
    const sign = (sub: string, role: string) =>
      new SignJWT({ role })
        .setProtectedHeader({ alg: key!.alg, kid: key!.kid, typ: 'at+jwt' })
        .setSubject(sub)
        .setIssuer(identity.issuer)
        .setAudience(identity.audience)
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(signing);

    const event = await (
      await fetch(`http://127.0.0.1:${port}/v1/events`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${await sign(organiser.id, 'organiser')}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          title: 'Bench',
          venue: 'Hall',
          starts_at: new Date(Date.now() + 86_400_000).toISOString(),
          ends_at: new Date(Date.now() + 90_000_000).toISOString(),
          currency: 'EUR',
          status: 'published',
          ticket_types: [{ name: 'General', price: 2500, quantity: 10_000_000 }],
        }),
      })
    ).json();
    const ticketTypeId = event.ticket_types[0].id as string;

    const tokens: string[] = [];
    for (let i = 0; i < Math.max(...CONNECTIONS); i++) {
      const customer = await createUser(db.knex, {
        email: `c${i}@bench.test`,
        name: `C${i}`,
        role: 'customer',
        passwordHash: null,
      });
      tokens.push(await sign(customer.id, 'customer'));
    }
    const body = JSON.stringify({
      event_id: event.id,
      items: [{ ticket_type_id: ticketTypeId, quantity: 1 }],
    });

    for (const connections of CONNECTIONS) {
      const baseline = await load({ url: `http://127.0.0.1:${barePort}/`, connections });
      let next = 0;
      const booking = await load({
        url: `http://127.0.0.1:${port}/v1/bookings`,
        connections,
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
        setupClient: (client) =>
          client.setHeaders({
            'content-type': 'application/json',
            authorization: `Bearer ${tokens[next++ % tokens.length]}`,
          }),
      });
      const failed = booking.non2xx + booking.errors;
      rows.push(
        {
          run: `bare Koa, c=${connections}`,
          'req/s': Math.round(baseline.requests.average),
          'p50 ms': baseline.latency.p50,
          'p99 ms': baseline.latency.p99,
          ratio: '1.00',
          failed: baseline.non2xx + baseline.errors,
        },
        {
          run: `booking, c=${connections}`,
          'req/s': Math.round(booking.requests.average),
          'p50 ms': booking.latency.p50,
          'p99 ms': booking.latency.p99,
          ratio: (booking.requests.average / baseline.requests.average).toFixed(2),
          failed,
        },
      );
    }

    // Stop the server first: requests still in flight when the load generator stops
    // would otherwise commit between the two reads below.
    await stop(serve);
    const sold = await db.knex('ticket_types').where({ id: ticketTypeId }).first('sold');
    const booked = await db.knex('booking_items').sum({ n: 'quantity' }).first();
    await db.close();
    console.table(rows);
    const consistent = Number(sold.sold) === Number(booked?.n ?? 0);
    console.log(
      `sold ${sold.sold}, booked ${booked?.n}: ${consistent ? 'consistent' : 'INCONSISTENT'}`,
    );
    const worst = Math.min(
      ...rows.filter((r) => String(r.run).startsWith('booking')).map((r) => Number(r.ratio)),
    );
    console.log(
      `target: booking >= ${TARGET_RATIO} x bare Koa: ${worst >= TARGET_RATIO ? 'met' : 'NOT met'} (worst ratio ${worst.toFixed(2)})`,
    );
    if (!consistent) process.exitCode = 1;
  } finally {
    serve.kill('SIGTERM');
    bare.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
