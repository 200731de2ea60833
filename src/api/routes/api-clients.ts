import { z } from 'zod';
import { createApiClient, listApiClients, revokeApiClient } from '../../auth/oauth/api-clients.js';
import { label } from '../../domain/schemas.js';
import { defineRoute, type AnyRoute } from './route.js';

const ApiClient = z
  .object({ client_id: z.string(), name: z.string(), created_at: z.string() })
  .meta({ id: 'ApiClient' });
const NewApiClient = ApiClient.extend({ client_secret: z.string() }).meta({ id: 'NewApiClient' });
const CreateApiClient = z
  .strictObject({ name: label(100).meta({ example: 'ci' }) })
  .meta({ id: 'CreateApiClient' });

/** Credentials for unattended use (scripts, CI): the client credentials grant, as their owner. */
export const apiClientRoutes: AnyRoute[] = [
  defineRoute({
    method: 'post',
    path: '/v1/api-clients',
    operationId: 'createApiClient',
    summary: 'Create an API client (its secret is shown only in this answer)',
    tag: 'identity',
    roles: ['organiser', 'customer'],
    body: CreateApiClient,
    success: { status: 201, description: 'The new client and its secret', schema: NewApiClient },
    errors: [401, 422],
    handle: async ({ actor, body, deps }) => ({
      body: await createApiClient(deps.db.knex, actor.userId, body.name),
    }),
  }),
  defineRoute({
    method: 'get',
    path: '/v1/api-clients',
    operationId: 'listApiClients',
    summary: 'Your API clients',
    tag: 'identity',
    roles: ['organiser', 'customer'],
    success: {
      status: 200,
      description: 'Your API clients',
      schema: z.object({ data: z.array(ApiClient) }),
    },
    errors: [401],
    handle: async ({ actor, deps }) => ({
      body: { data: await listApiClients(deps.db.knex, actor.userId) },
    }),
  }),
  defineRoute({
    method: 'delete',
    path: '/v1/api-clients/:id',
    operationId: 'revokeApiClient',
    summary: 'Revoke one of your API clients',
    tag: 'identity',
    roles: ['organiser', 'customer'],
    success: { status: 204, description: 'Revoked' },
    errors: [401, 404],
    handle: async ({ actor, params, deps }) => {
      await revokeApiClient(deps.db.knex, actor.userId, params.id!);
      return {};
    },
  }),
];
