import { z } from 'zod';
import type { AnyRoute } from './routes/route.js';

const COMPONENT = (id: string) => `#/components/schemas/${id}`;

const STATUS_TEXT: Record<number, string> = {
  400: 'Malformed request (`invalid_json`)',
  401: 'No, expired, malformed or badly signed access token (`unauthorized`)',
  403: 'Your role may not do this (`forbidden`)',
  404: 'Does not exist, or is not yours (`not_found`)',
  409: 'State conflict (`sold_out`, `event_not_on_sale`, `event_has_bookings`, ...)',
  413: 'Body over the size limit (`payload_too_large`)',
  415: 'Body that is not JSON (`unsupported_media_type`)',
  422: 'Well-formed JSON that breaks the rules (`validation_failed`, `idempotency_key_reused`)',
  429: 'Too many attempts (`rate_limited`); see Retry-After',
};

/**
 * Problems any operation can answer, whatever its route: the HTTP server refuses
 * the request before routing (408, 417, 431) or the database is out of reach (503).
 * Shared as components and referenced from every operation.
 */
const TRANSPORT_RESPONSES: Record<number, { name: string; description: string }> = {
  408: {
    name: 'RequestTimeout',
    description: 'Headers or body arrived too slowly (`request_timeout`); the connection closes',
  },
  417: {
    name: 'ExpectationFailed',
    description: 'An `Expect` header other than 100-continue (`expectation_failed`)',
  },
  431: { name: 'HeadersTooLarge', description: 'Request headers too large (`headers_too_large`)' },
  503: {
    name: 'Unavailable',
    description:
      'The database or signing keys are out of reach or silent (`unavailable`); retry after `Retry-After` seconds',
  },
};

/** Statuses that come with `Retry-After`: seconds to wait before trying again. */
const RETRY_AFTER_STATUSES = new Set([429, 503]);

const problemResponse = (status: number, description: string) => ({
  description,
  ...(RETRY_AFTER_STATUSES.has(status)
    ? {
        headers: {
          'Retry-After': {
            description: 'Seconds to wait before trying again',
            schema: { type: 'integer', minimum: 1 },
          },
        },
      }
    : {}),
  content: { 'application/problem+json': { schema: { $ref: COMPONENT('Problem') } } },
});

const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    code: z.string().meta({ description: 'Stable slug that clients branch on.' }),
    instance: z.string().meta({ description: 'The request id, to quote in a report.' }),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details.' });

/**
 * The OpenAPI 3.1 document, generated from the same route descriptions and zod
 * schemas that validate requests, so the two cannot drift apart.
 */
export function buildOpenApiDocument(
  routes: AnyRoute[],
  serverUrl: string,
): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.path.replace(/:(\w+)/g, '{$1}');
    paths[path] ??= {};
    paths[path][route.method] = operation(route);
  }

  const registry = z.toJSONSchema(z.globalRegistry, {
    io: 'input',
    uri: COMPONENT,
    unrepresentable: 'any',
  }) as { schemas: Record<string, Record<string, unknown>> };
  const schemas = Object.fromEntries(
    Object.entries(registry.schemas).map(([id, schema]) => {
      const { $schema: _s, $id: _i, ...rest } = schema;
      return [id, rest];
    }),
  );
  schemas.Problem ??= jsonSchema(Problem);

  return {
    openapi: '3.1.0',
    info: {
      title: 'evbook API',
      version: 'v1',
      description: 'Events, ticket types and bookings. Every error is RFC 9457 problem+json.',
    },
    servers: [{ url: serverUrl }],
    security: [{ bearer: [] }],
    components: {
      schemas,
      responses: Object.fromEntries(
        Object.entries(TRANSPORT_RESPONSES).map(([status, { name, description }]) => [
          name,
          problemResponse(Number(status), description),
        ]),
      ),
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT (RFC 9068 access token)' },
      },
    },
    paths,
  };
}

function operation(route: AnyRoute): Record<string, unknown> {
  const parameters: unknown[] = [...route.path.matchAll(/:(\w+)/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  const shape = (route.query as z.ZodObject | undefined)?.shape ?? {};
  for (const [name, schema] of Object.entries(shape)) {
    const doc = jsonSchema(schema as z.ZodType);
    parameters.push({
      name,
      in: 'query',
      required: !(schema as z.ZodType).safeParse(undefined).success,
      ...(typeof doc.description === 'string' ? { description: doc.description } : {}),
      schema: doc,
    });
  }
  for (const header of route.headers ?? []) {
    parameters.push({
      name: header.name,
      in: 'header',
      required: false,
      description: header.description,
      schema: { type: 'string', maxLength: 255 },
    });
  }

  const responses: Record<string, unknown> = {
    [route.success.status]: {
      description: route.success.description,
      ...(route.success.schema
        ? { content: { 'application/json': { schema: jsonSchema(route.success.schema) } } }
        : {}),
    },
  };
  for (const status of route.errors) {
    responses[status] = problemResponse(status, STATUS_TEXT[status] ?? 'Error');
  }
  for (const [status, { name }] of Object.entries(TRANSPORT_RESPONSES)) {
    responses[status] ??= { $ref: `#/components/responses/${name}` };
  }

  return {
    operationId: route.operationId,
    summary: route.summary,
    tags: [route.tag],
    description: route.anonymous ? 'Open to anyone.' : `Allowed roles: ${route.roles.join(', ')}.`,
    ...(route.anonymous ? { security: [] } : {}),
    parameters,
    ...(route.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: jsonSchema(route.body) } },
          },
        }
      : {}),
    responses,
  };
}

/** One schema as JSON Schema, with references pointing into the components. */
function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const {
    $schema: _s,
    $defs: _d,
    ...doc
  } = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return JSON.parse(
    JSON.stringify(doc).replaceAll('"#/$defs/', '"#/components/schemas/'),
  ) as Record<string, unknown>;
}
