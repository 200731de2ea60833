import { expect } from 'chai';
import type { z } from 'zod';
import { API_ROUTES } from '../../src/api/app.js';
import type { AnyRoute } from '../../src/api/routes/route.js';
import { TestApi, type ApiResponse, type TestUser } from '../helpers/api.js';
import { forEachEngine } from '../helpers/databases.js';
import { snapshotDatabase } from '../helpers/db-state.js';
import { book, createEvent } from '../helpers/fixtures.js';

const MiB = 1024 * 1024;
const JSON_TYPE = { 'content-type': 'application/json' };

interface BadBody {
  name: string;
  /** The request body as sent; `fields` are the top-level keys the route's schema knows. */
  raw: (fields: string[]) => string;
  headers?: Record<string, string>;
  status: number;
  code: string;
}

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const everyField = (fields: string[], value: unknown) =>
  JSON.stringify(Object.fromEntries(fields.map((field) => [field, value])));

const BAD_BODIES: BadBody[] = [
  ...['{"title":', '{title: 1}', "{'a': 1}", '{"a": 1,}', '{"a": 01}', '{} {}', 'nul'].map(
    (raw) => ({ name: `malformed JSON ${raw}`, raw: () => raw, status: 400, code: 'invalid_json' }),
  ),
  ...['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'].map(
    (type) => ({
      name: `a ${type.split(';')[0]} body`,
      raw: () => 'a=b',
      headers: { 'content-type': type },
      status: 415,
      code: 'unsupported_media_type',
    }),
  ),
  {
    name: 'a JSON body without a content type',
    raw: () => '{}',
    headers: {},
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'a body over 1 MiB',
    raw: () => JSON.stringify({ padding: 'x'.repeat(MiB) }),
    status: 413,
    code: 'payload_too_large',
  },
  ...['[]', '[{}]', 'null', '"event"', '42', 'true'].map((raw) => ({
    name: `the JSON value ${raw}`,
    raw: () => raw,
    status: 422,
    code: 'validation_failed',
  })),
  {
    name: 'every field nested 10,000 arrays deep',
    raw: (fields: string[]) => `{${fields.map((f) => `"${f}":${nested(10_000)}`).join(',')}}`,
    status: 422,
    code: 'validation_failed',
  },
  {
    name: 'an unknown field nested 100,000 levels deep',
    raw: () => `{"extra":${nested(100_000)}}`,
    status: 422,
    code: 'validation_failed',
  },
  {
    name: 'a 900 kB string in every field',
    raw: (fields: string[]) => `{"${fields[0]}":"${'é'.repeat(450_000)}"}`,
    status: 422,
    code: 'validation_failed',
  },
  {
    name: 'blank unicode whitespace in every field',
    raw: (fields: string[]) => everyField(fields, '\u3000\u00a0\u2003'),
    status: 422,
    code: 'validation_failed',
  },
  {
    name: 'NUL characters and lone surrogates in every field',
    raw: (fields: string[]) => everyField(fields, 'a\u0000\ud800'),
    status: 422,
    code: 'validation_failed',
  },
  {
    name: 'unknown fields with unicode names',
    raw: () => JSON.stringify({ 'naïve 🎟️': 'ü', 'ключ\u0000': null }),
    status: 422,
    code: 'validation_failed',
  },
  {
    name: 'an unknown field beside nothing else',
    raw: () => JSON.stringify({ is_admin: true }),
    status: 422,
    code: 'validation_failed',
  },
  ...[{}, true, -1.5, 'x', [1], null].map((value) => ({
    name: `${JSON.stringify(value)} in every field`,
    raw: (fields: string[]) => everyField(fields, value),
    status: 422,
    code: 'validation_failed',
  })),
];

forEachEngine('bad input', (database) => {
  let api: TestApi;
  let owner: TestUser;
  let customer: TestUser;
  let event: any;
  before(async () => {
    api = await TestApi.start(database());
  });
  after(async () => api.stop());
  beforeEach(async () => {
    owner = await api.user('organiser');
    customer = await api.user('customer');
    event = await createEvent(api, owner);
    const booked = await book(api, customer, event.id, [
      { ticket_type_id: event.ticket_types[0].id, quantity: 2 },
    ]);
    expect(booked.status).to.equal(201);
  });

  function pathOf(route: AnyRoute): string {
    const params: Record<string, string> = { id: event.id, tid: event.ticket_types[1].id };
    return route.path.replace(/:(\w+)/g, (_m, name: string) => params[name]!);
  }

  const tokenFor = (route: AnyRoute) =>
    (route.roles.includes('organiser') ? owner : customer).token;

  const bodyRoutes = API_ROUTES.filter((route) => route.body);

  it('covers every route that takes a body', () => {
    expect(bodyRoutes.map((r) => r.operationId)).to.include.members([
      'createEvent',
      'updateEvent',
      'addTicketType',
      'updateTicketType',
      'createBooking',
    ]);
  });

  for (const route of bodyRoutes) {
    const fields = Object.keys((route.body as z.ZodObject).shape);
    describe(`${route.method.toUpperCase()} ${route.path}`, () => {
      for (const bad of BAD_BODIES.filter((b) => isBadFor(route, b, fields))) {
        it(`answers ${bad.status} ${bad.code} to ${bad.name}, changing nothing`, async () => {
          const before = await snapshotDatabase(database());

          const res = await api.request(route.method.toUpperCase(), pathOf(route), {
            token: tokenFor(route),
            raw: bad.raw(fields),
            headers: bad.headers ?? JSON_TYPE,
          });

          expectProblem(res, bad.status, bad.code);
          expect(await snapshotDatabase(database())).to.deep.equal(before);
        });
      }

      it('answers 400 or 422 to a __proto__ key, changing nothing', async () => {
        const before = await snapshotDatabase(database());
        const res = await api.request(route.method.toUpperCase(), pathOf(route), {
          token: tokenFor(route),
          raw: '{"__proto__": {"role": "organiser"}, "constructor": {"prototype": {}}}',
          headers: JSON_TYPE,
        });

        expect(res.status).to.be.oneOf([400, 422]);
        expectProblem(res, res.status, res.status === 400 ? 'invalid_json' : 'validation_failed');
        expect(await snapshotDatabase(database())).to.deep.equal(before);
      });
    });
  }

  for (const route of API_ROUTES.filter((r) => r.query)) {
    it(`answers 422 to bad query parameters of ${route.operationId}`, async () => {
      for (const query of ['?limit=abc', '?limit=1000', '?cursor=%00%01', '?bogus=1']) {
        const res = await api.request('GET', `${pathOf(route)}${query}`, {
          token: tokenFor(route),
        });
        expectProblem(res, 422, 'validation_failed');
      }
    });
  }

  it('answers 404 problem to unknown routes, signed in or not', async () => {
    for (const path of ['/v1/nope', `/v1/events/${event.id}/nope`, '/v2/events', '/']) {
      expectProblem(await api.request('GET', path), 404, 'not_found');
      expectProblem(await api.request('GET', path, { token: owner.token }), 404, 'not_found');
    }
  });

  it('answers 405 problem to a method a route does not have', async () => {
    for (const [method, path] of [
      ['PUT', `/v1/events/${event.id}`],
      ['POST', '/v1/me'],
      ['DELETE', '/v1/bookings'],
      ['PATCH', '/v1/events'],
      ['PROPFIND', '/v1/events'],
    ] as const) {
      const res = await api.request(method, path, { token: owner.token, body: {} });
      expectProblem(res, 405, 'method_not_allowed');
    }
  });
});

function expectProblem(res: ApiResponse, status: number, code: string): void {
  const text = JSON.stringify(res.body);
  expect(res.status, text).to.equal(status);
  expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
  expect(res.body).to.include({ status, code });
  for (const member of ['type', 'title', 'detail', 'code', 'instance']) {
    expect(res.body[member], member).to.be.a('string').and.not.equal('');
  }
  expect(text).to.not.match(/\n\s+at |node_modules|\.ts:\d+|Error:|SELECT|select /);
}

/**
 * A generic bad body is no case for a route whose schema accepts it (a body of one
 * string field takes "x" everywhere): such a body is simply valid there.
 */
function isBadFor(route: (typeof API_ROUTES)[number], bad: BadBody, fields: string[]): boolean {
  if (bad.status !== 422 || bad.headers) return true;
  let parsed: unknown;
  try {
    parsed = JSON.parse(bad.raw(fields));
  } catch {
    return true;
  }
  return !route.body!.safeParse(parsed).success;
}
