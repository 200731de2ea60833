import { expect } from 'chai';
import { generateKeyPair, importJWK, SignJWT, type JWTPayload } from 'jose';
import { API_ROUTES } from '../../src/api/app.js';
import { loadSigningKeys } from '../../src/auth/keys.js';
import { tokenIdentity } from '../../src/auth/tokens.js';
import { TestApi, type ApiResponse, type TestUser } from '../helpers/api.js';
import { forEachEngine } from '../helpers/databases.js';
import { snapshotDatabase } from '../helpers/db-state.js';
import { book, createEvent, inDays } from '../helpers/fixtures.js';

const CALLERS = ['anonymous', 'customer', 'otherCustomer', 'owner', 'otherOrganiser'] as const;
type Caller = (typeof CALLERS)[number];

/** What every cell of the matrix starts from. */
interface World {
  users: Record<Exclude<Caller, 'anonymous'>, TestUser>;
  /** Published, owned by `owner`, with a confirmed booking of `customer` for its first type. */
  event: any;
  /** Published, owned by `owner`, nobody booked it. */
  unbooked: any;
  booking: any;
  /** An API client of `customer`. */
  apiClientId: string;
}

interface Expectation {
  params?: (world: World) => Record<string, string>;
  body?: (world: World) => unknown;
  status: Record<Caller, number>;
}

const status = (
  anonymous: number,
  customer: number,
  otherCustomer: number,
  owner: number,
  otherOrganiser: number,
) => ({ anonymous, customer, otherCustomer, owner, otherOrganiser });

const eventId = (w: World) => ({ id: w.event.id });
const bookedType = (w: World) => ({ id: w.event.id, tid: w.event.ticket_types[0].id });
const unbookedType = (w: World) => ({ id: w.event.id, tid: w.event.ticket_types[1].id });

/**
 * Who may call what, one row per operation of API_ROUTES, for the callers
 * anonymous, customer, other customer, organiser owner and other organiser.
 * A route without a row here fails this suite.
 */
const MATRIX: Record<string, Expectation> = {
  createEvent: {
    body: () => ({
      title: 'New',
      venue: 'Hall',
      starts_at: inDays(9),
      ends_at: inDays(10),
      currency: 'EUR',
    }),
    status: status(401, 403, 403, 201, 201),
  },
  listEvents: { status: status(401, 200, 200, 200, 200) },
  getEvent: { params: eventId, status: status(401, 200, 200, 200, 404) },
  updateEvent: {
    params: eventId,
    body: () => ({ description: 'Changed' }),
    status: status(401, 403, 403, 200, 404),
  },
  deleteEvent: {
    params: (w) => ({ id: w.unbooked.id }),
    status: status(401, 403, 403, 204, 404),
  },
  listAttendees: { params: eventId, status: status(401, 403, 403, 200, 404) },
  addTicketType: {
    params: eventId,
    body: () => ({ name: 'Student', price: 1000, quantity: 5 }),
    status: status(401, 403, 403, 201, 404),
  },
  updateTicketType: {
    params: bookedType,
    body: () => ({ quantity: 200 }),
    status: status(401, 403, 403, 200, 404),
  },
  removeTicketType: { params: unbookedType, status: status(401, 403, 403, 204, 404) },
  createBooking: {
    body: (w) => ({
      event_id: w.event.id,
      items: [{ ticket_type_id: w.event.ticket_types[0].id, quantity: 1 }],
    }),
    status: status(401, 201, 201, 403, 403),
  },
  listBookings: { status: status(401, 200, 200, 403, 403) },
  getBooking: { params: (w) => ({ id: w.booking.id }), status: status(401, 200, 404, 403, 403) },
  cancelBooking: {
    params: (w) => ({ id: w.booking.id }),
    status: status(401, 200, 404, 403, 403),
  },
  getMe: { status: status(401, 200, 200, 200, 200) },
  // Sign-up is open to anyone; a token, if sent, changes nothing.
  signUp: {
    body: () => ({
      email: `new.${Math.random().toString(36).slice(2)}@example.test`,
      password: 'a long enough password',
      name: 'New',
      role: 'customer',
    }),
    status: status(201, 201, 201, 201, 201),
  },
  createApiClient: { body: () => ({ name: 'ci' }), status: status(401, 201, 201, 201, 201) },
  listApiClients: { status: status(401, 200, 200, 200, 200) },
  revokeApiClient: {
    params: (w) => ({ id: w.apiClientId }),
    status: status(401, 204, 404, 404, 404),
  },
};

const CODES: Record<number, string> = { 401: 'unauthorized', 403: 'forbidden', 404: 'not_found' };

forEachEngine('authorization matrix', (database) => {
  let api: TestApi;
  before(async () => {
    api = await TestApi.start(database());
  });
  after(async () => api.stop());

  async function buildWorld(): Promise<World> {
    const users = {
      customer: await api.user('customer'),
      otherCustomer: await api.user('customer'),
      owner: await api.user('organiser'),
      otherOrganiser: await api.user('organiser'),
    };
    const event = await createEvent(api, users.owner);
    const unbooked = await createEvent(api, users.owner);
    const booked = await book(api, users.customer, event.id, [
      { ticket_type_id: event.ticket_types[0].id, quantity: 1 },
    ]);
    expect(booked.status, JSON.stringify(booked.body)).to.equal(201);
    const apiClient = await api.request('POST', '/v1/api-clients', {
      token: users.customer.token,
      body: { name: 'matrix' },
    });
    expect(apiClient.status, JSON.stringify(apiClient.body)).to.equal(201);
    return {
      users,
      event,
      unbooked,
      booking: booked.body,
      apiClientId: apiClient.body.client_id,
    };
  }

  it('has a row for every operation and none for operations that do not exist', () => {
    const operations = API_ROUTES.map((route) => route.operationId);
    expect(Object.keys(MATRIX)).to.have.members(operations);
  });

  for (const route of API_ROUTES) {
    describe(`${route.method.toUpperCase()} ${route.path} (${route.operationId})`, () => {
      const expectation = MATRIX[route.operationId];
      if (!expectation) {
        it('has a row in the authorization matrix', () => {
          expect.fail(`add ${route.operationId} to MATRIX in authorization.test.ts`);
        });
        return;
      }

      for (const caller of CALLERS) {
        const expected = expectation.status[caller];
        it(`answers ${expected} to ${caller}`, async () => {
          const world = await buildWorld();
          const params = expectation.params?.(world) ?? {};
          const path = route.path.replace(/:(\w+)/g, (_m, name: string) => {
            expect(params, `params of ${route.operationId}`).to.have.property(name);
            return encodeURIComponent(params[name]!);
          });
          const before = await snapshotDatabase(database());

          const res = await api.request(route.method.toUpperCase(), path, {
            token: caller === 'anonymous' ? undefined : world.users[caller].token,
            body: expectation.body?.(world),
          });

          expect(res.status, JSON.stringify(res.body)).to.equal(expected);
          if (expected >= 400) {
            expectRefusal(res, expected);
            expect(await snapshotDatabase(database())).to.deep.equal(before);
          }
        });
      }
    });
  }
});

forEachEngine('access tokens', (database) => {
  let api: TestApi;
  let customer: TestUser;
  before(async () => {
    api = await TestApi.start(database());
  });
  after(async () => api.stop());
  beforeEach(async () => {
    customer = await api.user('customer');
  });

  const now = () => Math.floor(Date.now() / 1000);
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const claimsOf = (token: string) =>
    JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as JWTPayload;
  const me = (authorization?: string) =>
    api.request('GET', '/v1/me', { headers: authorization ? { authorization } : {} });

  /** Signs `payload` as given (no claims added) with the server's own key. */
  async function signRaw(payload: JWTPayload, typ = 'at+jwt'): Promise<string> {
    const [key] = await loadSigningKeys(database().db.knex);
    return new SignJWT(payload)
      .setProtectedHeader({ alg: key!.alg, kid: key!.kid, typ })
      .sign(await importJWK(key!.privateJwk, key!.alg));
  }

  function validClaims(): JWTPayload {
    const { issuer, audience } = tokenIdentity(api.config.publicUrl);
    return {
      iss: issuer,
      aud: audience,
      sub: customer.id,
      role: 'customer',
      iat: now(),
      exp: now() + 600,
    };
  }

  async function expectUnauthorized(res: ApiResponse) {
    expect(res.status, JSON.stringify(res.body)).to.equal(401);
    expect(res.body.code).to.equal('unauthorized');
    // RFC 6750 §3: quoted values, and no `"` or `\` inside error_description.
    expect(res.headers.get('www-authenticate')).to.match(
      /^Bearer realm="evbook"(, error="invalid_token", error_description="[\x20\x21\x23-\x5b\x5d-\x7e]*")?$/,
    );
    expect(JSON.stringify(res.body)).to.not.match(/JWS|JWT[A-Z]|at [A-Za-z.]+ \(/);
  }

  it('accepts a valid token, with the scheme in any case', async () => {
    expect((await me(`Bearer ${customer.token}`)).body.id).to.equal(customer.id);
    expect((await me(`bearer ${customer.token}`)).status).to.equal(200);
  });

  it('answers 401 without a token, naming the Bearer scheme only', async () => {
    const res = await me();

    await expectUnauthorized(res);
    expect(res.headers.get('www-authenticate')).to.equal('Bearer realm="evbook"');
  });

  const crafted: Array<[string, () => Promise<string>]> = [
    ['an expired token', () => api.token(customer, { expiresIn: now() - 60 })],
    ['a token not valid yet (nbf)', () => api.token(customer, { notBefore: now() + 3600 })],
    ['a token of another issuer', () => api.token(customer, { issuer: 'https://evil.test' })],
    ['a token for another audience', () => api.token(customer, { audience: 'https://x.test/v1' })],
    ['a token of type JWT instead of at+jwt', () => api.token(customer, { typ: 'JWT' })],
    ['a token without a role', () => api.token(customer, { claims: { role: undefined } })],
    ['a token with an unknown role', () => api.token(customer, { claims: { role: 'admin' } })],
    ['a token without a subject', async () => signRaw({ ...validClaims(), sub: undefined })],
    ['a token without an expiry', async () => signRaw({ ...validClaims(), exp: undefined })],
    [
      'an unsigned token (alg none)',
      async () => `${b64({ alg: 'none', typ: 'at+jwt' })}.${b64(validClaims())}.`,
    ],
    [
      'a token whose role was changed after signing',
      async () => {
        const [header, , signature] = customer.token.split('.');
        const payload = b64({ ...claimsOf(customer.token), role: 'organiser' });
        return `${header}.${payload}.${signature}`;
      },
    ],
    [
      'a token signed by a foreign key under our key id',
      async () => {
        const [key] = await loadSigningKeys(database().db.knex);
        const { privateKey } = await generateKeyPair('ES256');
        return new SignJWT(validClaims())
          .setProtectedHeader({ alg: 'ES256', kid: key!.kid, typ: 'at+jwt' })
          .sign(privateKey);
      },
    ],
    [
      'a token signed by a foreign key under an unknown key id',
      async () => {
        const { privateKey } = await generateKeyPair('ES256');
        return new SignJWT(validClaims())
          .setProtectedHeader({ alg: 'ES256', kid: 'not-ours', typ: 'at+jwt' })
          .sign(privateKey);
      },
    ],
    [
      'a token signed with HS256 and the public key as secret',
      async () => {
        const [key] = await loadSigningKeys(database().db.knex);
        return new SignJWT(validClaims())
          .setProtectedHeader({ alg: 'HS256', kid: key!.kid, typ: 'at+jwt' })
          .sign(new TextEncoder().encode(JSON.stringify(key!.publicJwk)));
      },
    ],
  ];
  for (const [name, makeToken] of crafted) {
    it(`answers 401 to ${name}`, async () => {
      const token = await makeToken();
      const res = await me(`Bearer ${token}`);

      await expectUnauthorized(res);
      expect(res.headers.get('www-authenticate')).to.contain('error="invalid_token"');
      const organiserOnly = await api.request('GET', '/v1/events/x/bookings', { token });
      expect(organiserOnly.status).to.equal(401);
    });
  }

  const malformed: Array<[string, () => string]> = [
    ['the token without "Bearer"', () => customer.token],
    ['"Bearer" alone', () => 'Bearer'],
    ['"Bearer " and spaces', () => 'Bearer    '],
    ['another scheme', () => `Basic ${Buffer.from('a:b').toString('base64')}`],
    ['garbage after Bearer', () => 'Bearer not-a-jwt'],
    ['three garbage segments', () => 'Bearer a.b.c'],
    ['a token with characters outside base64url', () => `Bearer ${customer.token}$`],
    ['two tokens', () => `Bearer ${customer.token} ${customer.token}`],
  ];
  for (const [name, header] of malformed) {
    it(`answers 401 to ${name}`, async () => {
      await expectUnauthorized(await me(header()));
    });
  }
});

function expectRefusal(res: ApiResponse, expected: number): void {
  expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
  expect(res.body).to.include({ status: expected, code: CODES[expected] });
  if (expected === 401) {
    expect(res.headers.get('www-authenticate')).to.match(/^Bearer /);
  }
}
