import { z } from 'zod';
import { getUser } from '../../domain/users/users.js';
import { defineRoute, type AnyRoute } from './route.js';

export const UserView = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    role: z.enum(['organiser', 'customer']),
    created_at: z.iso.datetime(),
  })
  .meta({ id: 'User' });

export const meRoutes: AnyRoute[] = [
  defineRoute({
    method: 'get',
    path: '/v1/me',
    operationId: 'getMe',
    summary: 'The user the access token belongs to',
    tag: 'identity',
    roles: ['organiser', 'customer'],
    success: { status: 200, description: 'The current user', schema: UserView },
    errors: [401, 404],
    handle: async ({ actor, deps }) => ({ body: await getUser(deps.db.knex, actor.userId) }),
  }),
];
