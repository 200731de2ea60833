import { expect } from 'chai';
import fc from 'fast-check';
import type { z } from 'zod';
import { API_ROUTES } from '../../src/api/app.js';
import { findStockDrift } from '../../src/domain/audit.js';
import type { AnyRoute } from '../../src/api/routes/route.js';
import type { Role } from '../../src/domain/actor.js';
import { TestApi, type TestUser } from '../helpers/api.js';
import { forEachEngine } from '../helpers/databases.js';
import { snapshotDatabase } from '../helpers/db-state.js';
import { book, createEvent } from '../helpers/fixtures.js';
import {
  anyJson,
  anyText,
  expectSafeAnswer,
  fieldValue,
  headerValue,
  percentEncode,
  sendBytes,
  sendRaw,
  type RawRequest,
} from '../helpers/fuzz.js';

/**
 * Property-based tests of every `/v1` route: thousands of hostile requests per
 * engine (random JSON, wrong types, deep nesting, Unicode, duplicated keys, wrong
 * content types, header abuse). Each must be answered below 500; every refusal is
 * problem+json with a `code` and leaves the database exactly as it was.
 *
 * The number of runs keeps each engine's suite under a minute (`FC_RUNS_SCALE=10` runs
 * ten times as many); a failure prints the seed and the shrunk request, and
 * `FC_SEED=<seed>` replays it.
 */
const SCALE = Number(process.env.FC_RUNS_SCALE ?? 1);
/** PostgreSQL round trips cost more; it runs three quarters of the cases. */
const ENGINE_SCALE = { sqlite: 1, postgres: 0.75 } as const;

const BODY_ROUTES = API_ROUTES.filter((route) => route.body);
const LIST_ROUTES = API_ROUTES.filter((route) => route.query);

forEachEngine('property-based hostile input', (database) => {
  let api: TestApi;
  let tokens: Record<Role, string>;
  let ids: Record<string, string[]>;
  let pathParams: Record<string, string>;

  before(async () => {
    api = await TestApi.start(database());
  });
  after(async () => api.stop());

  beforeEach(async () => {
    const owner: TestUser = await api.user('organiser');
    const customer: TestUser = await api.user('customer');
    const event = await createEvent(api, owner);
    const [general, vip] = event.ticket_types;
    const booked = await book(api, customer, event.id, [
      { ticket_type_id: general.id, quantity: 2 },
    ]);
    expect(booked.status).to.equal(201);
    tokens = { organiser: owner.token, customer: customer.token };
    ids = { event_id: [event.id], ticket_type_id: [general.id, vip.id] };
    pathParams = { id: event.id, tid: vip.id };
  });

  const snapshot = () => snapshotDatabase(database());

  afterEach(async () => {
    expect(await findStockDrift(database().db.knex)).to.deep.equal([]);
  });

  const params = (n: number): fc.Parameters<unknown> => ({
    numRuns: Math.max(1, Math.round(n * SCALE * ENGINE_SCALE[database().dialect])),
    ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}),
  });

  function pathOf(route: AnyRoute, overrides: Record<string, string> = {}): string {
    const values = { ...pathParams, ...overrides };
    return route.path.replace(/:(\w+)/g, (_m, name: string) => values[name]!);
  }

  /** Sends `req` and checks the answer against the contract. */
  async function probe(req: RawRequest): Promise<void> {
    const before = await snapshot();
    const res = await sendRaw(api.url, req);
    await expectSafeAnswer(req, res, before, snapshot);
  }

  const json = (value: unknown) => Buffer.from(JSON.stringify(value) ?? 'null', 'utf8');

  /** Known fields of a body route, each with a plausible or a wrong value, plus strangers. */
  function fieldsObject(route: AnyRoute): fc.Arbitrary<Record<string, unknown>> {
    const fields = Object.keys((route.body as z.ZodObject).shape);
    return fc
      .tuple(
        fc.record(Object.fromEntries(fields.map((f) => [f, fieldValue(f, ids)])), {
          requiredKeys: [],
        }),
        fc.dictionary(anyText(12), anyJson(1), { maxKeys: 2 }),
        fc.boolean(),
      )
      .map(([known, extra, withExtra]) => (withExtra ? { ...known, ...extra } : known));
  }

  /** A body as raw bytes: the ways a client can send JSON, or fail to. */
  function hostileBody(route: AnyRoute): fc.Arbitrary<Buffer> {
    const fields = Object.keys((route.body as z.ZodObject).shape);
    const duplicated = fc
      .array(fc.tuple(fc.constantFrom(...fields, '__proto__'), fieldValue('any', ids)), {
        minLength: 1,
        maxLength: 6,
      })
      .chain((entries) =>
        fieldValue(entries[0]![0], ids).map((again) => [...entries, [entries[0]![0], again]]),
      )
      .map((entries) =>
        Buffer.from(
          `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v) ?? 'null'}`).join(',')}}`,
        ),
      );
    const deep = fc
      .record({
        field: fc.constantFrom(...fields),
        depth: fc.integer({ min: 1, max: 60_000 }),
        kind: fc.constantFrom('[', '{"a":'),
        closed: fc.boolean(),
      })
      .map(({ field, depth, kind, closed }) => {
        const close = kind === '[' ? ']' : '}';
        return Buffer.from(
          `{"${field}":${kind.repeat(depth)}1${closed ? close.repeat(depth) : ''}}`,
        );
      });
    const bytes = fc.uint8Array({ maxLength: 400 }).map((a) => Buffer.from(a));
    const invalidUtf8 = fc
      .tuple(fc.constantFrom(...fields), fc.uint8Array({ minLength: 1, maxLength: 40 }))
      .map(([field, raw]) =>
        Buffer.concat([Buffer.from(`{"${field}":"`), Buffer.from(raw), Buffer.from('"}')]),
      );
    const huge = fc
      .record({ field: fc.constantFrom(...fields), size: fc.integer({ min: 1, max: 1_200_000 }) })
      .map(({ field, size }) => json({ [field]: 'é'.repeat(Math.floor(size / 2)) }));

    return fc.oneof(
      { weight: 4, arbitrary: fieldsObject(route).map(json) },
      { weight: 2, arbitrary: anyJson(4).map(json) },
      { weight: 2, arbitrary: duplicated },
      { weight: 1, arbitrary: deep },
      { weight: 1, arbitrary: bytes },
      { weight: 1, arbitrary: invalidUtf8 },
      { weight: 1, arbitrary: anyText(200).map((t) => Buffer.from(t, 'utf8')) },
      { weight: 1, arbitrary: huge },
    );
  }

  const jsonType = fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'Application/JSON',
    'application/merge-patch+json',
  );

  for (const route of BODY_ROUTES) {
    it(`${route.operationId}: random, mistyped, duplicated, deep, Unicode and huge bodies never give a 5xx, and refusals change nothing`, async function () {
      this.timeout(120_000);
      await fc.assert(
        fc.asyncProperty(
          hostileBody(route),
          jsonType,
          fc.constantFrom(...route.roles),
          async (body, type, role) =>
            probe({
              method: route.method.toUpperCase(),
              path: pathOf(route),
              headers: { 'content-type': type, authorization: `Bearer ${tokens[role]}` },
              body,
            }),
        ),
        params(320),
      );
    });

    it(`${route.operationId}: wrong content types and encodings are refused with problem+json`, async function () {
      this.timeout(60_000);
      const contentType = fc.oneof(
        fc.constantFrom(
          'text/plain',
          'text/json',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'application/xml',
          'application/json; charset=utf-16',
          'application/json; charset=latin1',
          'application/json; charset=nope',
          'application/jsonx',
          'json',
          '*/*',
          '',
        ),
        headerValue(60),
      );
      await fc.assert(
        fc.asyncProperty(
          contentType,
          fc.option(fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'x-evil', 'gzip, gzip')),
          fieldsObject(route),
          async (type, encoding, value) => {
            const headers: Record<string, string> = {
              authorization: `Bearer ${tokens[route.roles[0]!]}`,
            };
            if (type !== '') headers['content-type'] = type;
            if (encoding !== null) headers['content-encoding'] = encoding;
            await probe({
              method: route.method.toUpperCase(),
              path: pathOf(route),
              headers,
              body: json(value),
            });
          },
        ),
        params(60),
      );
    });
  }

  for (const route of LIST_ROUTES) {
    it(`${route.operationId}: random query strings never give a 5xx`, async function () {
      this.timeout(60_000);
      const fields = Object.keys((route.query as z.ZodObject).shape);
      const pair = fc.tuple(
        fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom(...fields) },
          { weight: 1, arbitrary: anyText(10) },
        ),
        fc.oneof(
          fc.constantFrom('', '1', '0', '-1', '100', '101', '1e2', '20.5', 'NaN', 'Infinity'),
          fieldValue('any', ids).map((v) =>
            typeof v === 'string' ? v : (JSON.stringify(v) ?? ''),
          ),
          anyText(60),
        ),
      );
      const rawTail = fc.constantFrom('', '&', '&&=', '%', '%zz', '%E0%A4', '%00', '=&=', '#x');
      await fc.assert(
        fc.asyncProperty(
          fc.array(pair, { maxLength: 5 }),
          rawTail,
          fc.constantFrom(...route.roles),
          async (pairs, tail, role) => {
            const query = pairs.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`);
            await probe({
              method: 'GET',
              path: `${pathOf(route)}?${query.join('&')}${tail.replace('#', '%23')}`,
              headers: { authorization: `Bearer ${tokens[role]}` },
            });
          },
        ),
        params(200),
      );
    });
  }

  it('random path ids on every route with one never give a 5xx', async function () {
    this.timeout(60_000);
    const routes = API_ROUTES.filter((route) => route.path.includes(':'));
    const segment = fc.oneof(
      anyText(40).map(percentEncode),
      fc.constantFrom('%', '%zz', '%ff', '..', '%2e%2e', '%2F', 'null', '0', '-1', '%20', '%00'),
      fc.uuid().map((u) => u.toUpperCase()),
      fc.uuid(),
    );
    await fc.assert(
      fc.asyncProperty(
        routeArb(routes),
        segment,
        fc.constantFrom('id', 'tid'),
        async (route, value, which) => {
          await probe({
            method: route.method.toUpperCase(),
            path: pathOf(route, { [which]: value || 'x' }),
            headers: {
              authorization: `Bearer ${tokens[route.roles[0]!]}`,
              ...(route.body ? { 'content-type': 'application/json' } : {}),
            },
            body: route.body ? json({}) : undefined,
          });
        },
      ),
      params(200),
    );
  });

  it('bad Authorization headers are a 401 problem on every route', async function () {
    this.timeout(60_000);
    const base64url = fc.string({
      unit: fc.constantFrom(
        ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.split(''),
      ),
      maxLength: 200,
    });
    const segment = fc.oneof(
      base64url,
      anyJson(2).map((v) => b64(JSON.stringify(v) ?? '')),
    );
    const jwtish = fc
      .tuple(
        fc.oneof(
          segment,
          fc.constantFrom(
            b64('{"alg":"none","typ":"at+jwt"}'),
            b64('{"alg":"HS256","typ":"at+jwt"}'),
            b64('{"alg":"ES256","typ":"at+jwt","kid":"../../etc/passwd"}'),
            b64('{"alg":"ES256","crit":["x"]}'),
          ),
        ),
        segment,
        fc.oneof(segment, fc.constant('')),
      )
      .map((parts) => parts.join('.'));
    const tampered = fc
      .tuple(fc.constantFrom<Role>('organiser', 'customer'), fc.nat(), base64url)
      .map(([role, at, junk]) => {
        const token = tokens[role];
        const i = at % token.length;
        return `${token.slice(0, i)}${junk || 'x'}${token.slice(i + 1)}`;
      });
    const authorization = fc.oneof(
      headerValue(300),
      jwtish.map((t) => `Bearer ${t}`),
      tampered.map((t) => `Bearer ${t}`),
      fc.constantFrom(
        'Bearer',
        'Bearer ',
        'Basic YWxhZGRpbjpvcGVuc2VzYW1l',
        'bearer  .',
        'Token x',
      ),
      fc.integer({ min: 1000, max: 15_000 }).map((n) => `Bearer ${'a'.repeat(n)}`),
    );
    await fc.assert(
      fc.asyncProperty(routeArb(API_ROUTES), authorization, async (route, value) => {
        const req: RawRequest = {
          method: route.method.toUpperCase(),
          path: pathOf(route),
          headers: { authorization: value, 'content-type': 'application/json' },
          body: route.body ? json({}) : undefined,
        };
        const before = await snapshot();
        const res = await sendRaw(api.url, req);
        await expectSafeAnswer(req, res, before, snapshot);
        expect(res.status, `${value.slice(0, 80)} -> ${res.text}`).to.equal(401);
        expect(res.headers['www-authenticate']).to.match(/^Bearer realm="evbook"/);
      }),
      params(300),
    );
  });

  it('Idempotency-Key abuse on POST /v1/bookings never gives a 5xx nor books twice', async function () {
    this.timeout(60_000);
    const key = fc.oneof(
      headerValue(300),
      fc.integer({ min: 250, max: 8000 }).map((n) => 'k'.repeat(n)),
      fc.constantFrom('', ' ', 'same', 'SAME', 'same ', '\t', 'ä', '%00'),
    );
    const quantity = fc.integer({ min: 0, max: 3 });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(key, fc.array(key, { minLength: 2, maxLength: 3 })),
        quantity,
        async (value, n) => {
          const before = await snapshot();
          const req: RawRequest = {
            method: 'POST',
            path: '/v1/bookings',
            headers: {
              authorization: `Bearer ${tokens.customer}`,
              'content-type': 'application/json',
              'idempotency-key': value,
            },
            body: json({
              event_id: ids.event_id![0],
              items: [{ ticket_type_id: ids.ticket_type_id![0], quantity: n }],
            }),
          };
          const res = await sendRaw(api.url, req);
          await expectSafeAnswer(req, res, before, snapshot);
          if (res.status === 201 && res.headers['idempotent-replayed'] === 'true') {
            expect(await snapshot()).to.deep.equal(before);
          }
        },
      ),
      params(250),
    );
  });

  it('many, odd and oversized headers never give a 5xx, and a request id stays sane', async function () {
    this.timeout(60_000);
    const headerName = fc.string({
      unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789-!#$%&'*+.^_`|~".split('')),
      minLength: 1,
      maxLength: 30,
    });
    await fc.assert(
      fc.asyncProperty(
        routeArb(API_ROUTES),
        fc.dictionary(headerName, headerValue(100), { maxKeys: 40 }),
        fc.option(headerValue(120)),
        fc.option(fc.integer({ min: 1, max: 40_000 })),
        async (route, extra, requestId, padding) => {
          const headers: Record<string, string> = { ...extra };
          for (const name of ['host', 'content-length', 'transfer-encoding', 'connection']) {
            delete headers[name];
          }
          headers.authorization = `Bearer ${tokens[route.roles[0]!]}`;
          headers['content-type'] = 'application/json';
          if (requestId !== null) headers['x-request-id'] = requestId;
          if (padding !== null) headers['x-padding'] = 'p'.repeat(padding);
          const req: RawRequest = {
            method: route.method.toUpperCase(),
            path: pathOf(route),
            headers,
            body: route.body ? json({}) : undefined,
          };
          const before = await snapshot();
          const res = await sendRaw(api.url, req);
          await expectSafeAnswer(req, res, before, snapshot);
          if (res.headers['x-request-id'] !== undefined) {
            expect(res.headers['x-request-id']).to.match(/^[A-Za-z0-9._-]{1,64}$/);
          }
        },
      ),
      params(150),
    );
  });

  it('malformed HTTP on the wire is answered with a problem, never a 5xx', async function () {
    this.timeout(60_000);
    const line = fc.oneof(
      fc.constant('GET /v1/events HTTP/1.1'),
      fc
        .tuple(
          fc.constantFrom('GET', 'POST', 'G ET', 'PATCH', '', '\u0000'),
          fc.oneof(fc.constant('/v1/events'), headerValue(40)),
          fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/9.9', 'HTTP/1', '', 'http/1.1'),
        )
        .map((parts) => parts.join(' ')),
    );
    const header = fc.oneof(
      fc.constant('Host: x'),
      fc.constant('Expect: 100-continue'),
      fc.constant('Content-Length: 5'),
      fc.constant('Content-Length: -1'),
      fc.constant('Transfer-Encoding: chunked'),
      fc.constant('Content-Length: 1\r\nContent-Length: 2'),
      fc.integer({ min: 1, max: 40_000 }).map((n) => `X-Big: ${'b'.repeat(n)}`),
      fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a).toString('latin1')),
    );
    await fc.assert(
      fc.asyncProperty(line, fc.array(header, { maxLength: 5 }), async (first, headers) => {
        const before = await snapshot();
        // With a Host header: Node answers a request without one itself, before any handler.
        const raw = `${first}\r\nHost: evbook.test\r\n${headers.map((h) => `${h}\r\n`).join('')}Connection: close\r\n\r\n`;
        const wire = await sendBytes(api.url, Buffer.from(raw, 'latin1'));
        const answer = wire.replace(/^(HTTP\/1\.1 1\d\d [^\r]*\r\n\r\n)+/, '');
        const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(answer)?.[1] ?? 0);
        const shown = `${JSON.stringify(raw.slice(0, 200))} -> ${answer.slice(0, 300)}`;
        if (status === 0) {
          expect(answer, shown).to.equal('');
          return;
        }
        expect(status, shown).to.be.within(200, 499);
        if (status >= 400) {
          expect(answer, shown).to.match(/\r\ncontent-type: application\/problem\+json/i);
          expect(answer, shown).to.match(/"code":"[a-z_]+"/);
          expect(await snapshot(), shown).to.deep.equal(before);
        }
      }),
      params(120),
    );
  });
});

/** A route, shown in counterexamples by its operation id only. */
function routeArb(routes: AnyRoute[]): fc.Arbitrary<AnyRoute> {
  return fc
    .constantFrom(...routes.map((route) => route.operationId))
    .map((id) => routes.find((route) => route.operationId === id)!);
}

function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}
