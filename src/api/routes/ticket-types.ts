import {
  addTicketType,
  removeTicketType,
  updateTicketType,
} from '../../domain/events/ticket-types.js';
import { TicketTypeCreate, TicketTypePatch, TicketTypeView } from '../../domain/events/schemas.js';
import { defineRoute, type AnyRoute } from './route.js';

const ORGANISER = ['organiser'] as const;
const tag = 'ticket types';

export const ticketTypeRoutes: AnyRoute[] = [
  defineRoute({
    method: 'post',
    path: '/v1/events/:id/ticket-types',
    operationId: 'addTicketType',
    summary: 'Add a ticket type to your event',
    tag,
    roles: ORGANISER,
    body: TicketTypeCreate,
    success: { status: 201, description: 'The new ticket type', schema: TicketTypeView },
    errors: [400, 401, 403, 404, 409, 413, 415, 422],
    handle: async ({ actor, params, body, deps }) => ({
      body: await addTicketType(deps.db.knex, actor.userId, params.id!, body),
    }),
  }),
  defineRoute({
    method: 'patch',
    path: '/v1/events/:id/ticket-types/:tid',
    operationId: 'updateTicketType',
    summary: 'Change a ticket type; capacity never drops below what is sold',
    tag,
    roles: ORGANISER,
    body: TicketTypePatch,
    success: { status: 200, description: 'The updated ticket type', schema: TicketTypeView },
    errors: [400, 401, 403, 404, 409, 413, 415, 422],
    handle: async ({ actor, params, body, deps }) => ({
      body: await updateTicketType(deps.db.knex, actor.userId, params.id!, params.tid!, body),
    }),
  }),
  defineRoute({
    method: 'delete',
    path: '/v1/events/:id/ticket-types/:tid',
    operationId: 'removeTicketType',
    summary: 'Remove a ticket type nobody has booked',
    tag,
    roles: ORGANISER,
    success: { status: 204, description: 'Removed' },
    errors: [401, 403, 404, 409],
    handle: async ({ actor, params, deps }) => {
      await removeTicketType(deps.db.knex, actor.userId, params.id!, params.tid!);
      return {};
    },
  }),
];
