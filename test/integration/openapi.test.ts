import { expect } from 'chai';
import { z } from 'zod';
import { API_ROUTES } from '../../src/api/app.js';
import { pageOf } from '../../src/api/routes/pages.js';
import { AttendeeView, BookingView } from '../../src/domain/bookings/schemas.js';
import { EventView, TicketTypeView } from '../../src/domain/events/schemas.js';
import { TestApi } from '../helpers/api.js';
import { forEachEngine } from '../helpers/databases.js';
import { book, createEvent } from '../helpers/fixtures.js';

/** Every `$ref` anywhere in `node`, with where it was found. */
function collectRefs(node: unknown, at = '#', found: Array<[string, string]> = []) {
  if (Array.isArray(node)) node.forEach((item, i) => collectRefs(item, `${at}/${i}`, found));
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref') found.push([at, String(value)]);
      else collectRefs(value, `${at}/${key}`, found);
    }
  }
  return found;
}

/** Parses with `schema` and checks the object has no member the schema does not name. */
function expectMatches(schema: z.ZodObject, value: unknown): void {
  const result = schema.safeParse(value);
  expect(result.success, JSON.stringify(result.error?.issues)).to.equal(true);
  expect(Object.keys(value as object)).to.have.members(Object.keys(schema.shape));
}

forEachEngine('GET /openapi.json', (database) => {
  let api: TestApi;
  let doc: any;
  before(async () => {
    api = await TestApi.start(database());
    doc = (await api.request('GET', '/openapi.json')).body;
  });
  after(async () => api.stop());

  it('serves an OpenAPI 3.1 document as JSON without a token', async () => {
    const res = await api.request('GET', '/openapi.json');

    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^application\/json/);
    expect(res.body.openapi).to.match(/^3\.1\.\d+$/);
    expect(res.body.info).to.include.keys('title', 'version');
    expect(res.body.components.securitySchemes.bearer).to.include({
      type: 'http',
      scheme: 'bearer',
    });
  });

  it('describes every path and method of API_ROUTES, and nothing else', () => {
    const documented = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods as object).map((method) => `${method} ${path}`),
    );
    const declared = API_ROUTES.map(
      (route) => `${route.method} ${route.path.replace(/:(\w+)/g, '{$1}')}`,
    );

    expect(documented).to.have.members(declared);
  });

  for (const route of API_ROUTES) {
    it(`documents ${route.operationId} with its parameters, body and responses`, () => {
      const operation = doc.paths[route.path.replace(/:(\w+)/g, '{$1}')][route.method];

      expect(operation.operationId).to.equal(route.operationId);
      const pathParams = operation.parameters.filter((p: any) => p.in === 'path');
      expect(pathParams.map((p: any) => p.name)).to.deep.equal(
        [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1]),
      );
      expect(pathParams.every((p: any) => p.required === true)).to.equal(true);
      expect(Boolean(operation.requestBody)).to.equal(Boolean(route.body));
      expect(operation.responses).to.have.property(String(route.success.status));
      for (const status of route.errors) {
        expect(
          operation.responses[status].content['application/problem+json'].schema,
        ).to.deep.equal({ $ref: '#/components/schemas/Problem' });
      }
      for (const status of ['408', '417', '431', '503']) {
        expect(operation.responses[status].$ref, status).to.match(/^#\/components\/responses\//);
      }
      if (route.errors.includes(429)) {
        expect(operation.responses[429].headers).to.have.property('Retry-After');
      }
      if (route.query) {
        const queryNames = operation.parameters.filter((p: any) => p.in === 'query');
        expect(queryNames.map((p: any) => p.name)).to.include.members(['limit', 'cursor']);
      }
    });
  }

  it('declares Retry-After on the shared 503 response', () => {
    expect(doc.components.responses.Unavailable.headers['Retry-After'].schema).to.deep.equal({
      type: 'integer',
      minimum: 1,
    });
  });

  it('resolves every $ref inside components.schemas or components.responses', () => {
    const refs = collectRefs(doc);

    expect(refs.length).to.be.greaterThan(0);
    for (const [at, ref] of refs) {
      const [, kind, name] = /^#\/components\/(schemas|responses)\/([^/]+)$/.exec(ref) ?? [];
      expect(kind, `${at} -> ${ref}`).to.be.a('string');
      expect(doc.components[kind!], `${at} -> ${ref}`).to.have.property(name!);
    }
    for (const response of Object.values(doc.components.responses) as any[]) {
      expect(response.content['application/problem+json'].schema).to.deep.equal({
        $ref: '#/components/schemas/Problem',
      });
    }
    expect(doc.components.schemas).to.include.keys('Problem', 'Event', 'TicketType', 'Booking');
  });
});

forEachEngine('responses match the documented views', (database) => {
  let api: TestApi;
  before(async () => {
    api = await TestApi.start(database());
  });
  after(async () => api.stop());

  it('matches EventView, BookingView, AttendeeView and the page shape', async () => {
    const organiser = await api.user('organiser');
    const customer = await api.user('customer');
    const event = await createEvent(api, organiser);
    const booked = await book(api, customer, event.id, [
      { ticket_type_id: event.ticket_types[0].id, quantity: 2 },
    ]);
    const asCustomer = await api.request('GET', `/v1/events/${event.id}`, {
      token: customer.token,
    });
    const events = await api.request('GET', '/v1/events', { token: customer.token });
    const bookings = await api.request('GET', '/v1/bookings', { token: customer.token });
    const attendees = await api.request('GET', `/v1/events/${event.id}/bookings`, {
      token: organiser.token,
    });

    expectMatches(EventView, event);
    for (const type of event.ticket_types) expectMatches(TicketTypeView, type);
    expectMatches(EventView, asCustomer.body);
    expect(asCustomer.body.ticket_types[0]).to.not.have.property('sold');
    expectMatches(BookingView, booked.body);
    expectMatches(pageOf(EventView), events.body);
    expect(events.body.data).to.have.length(1);
    expectMatches(pageOf(BookingView), bookings.body);
    expectMatches(BookingView, bookings.body.data[0]);
    expectMatches(pageOf(AttendeeView), attendees.body);
    expectMatches(AttendeeView, attendees.body.data[0]);
  });
});

forEachEngine('GET /healthz and /readyz', (database) => {
  let api: TestApi;
  before(async () => {
    api = await TestApi.start(database());
  });
  after(async () => api.stop());

  it('answers /healthz with 200', async () => {
    const res = await api.request('GET', '/healthz');

    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({ status: 'ok' });
  });

  it('answers /readyz with 200 once the database answers', async () => {
    const res = await api.request('GET', '/readyz');

    expect(res.status).to.equal(200);
    expect(res.body.status).to.equal('ready');
    expect(res.body.checks.database).to.equal('ok');
  });
});
