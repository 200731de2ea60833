import { listAttendees } from '../../domain/bookings/queries.js';
import { AttendeeListQuery, AttendeeView } from '../../domain/bookings/schemas.js';
import {
  createEvent,
  deleteEvent,
  getEvent,
  listEvents,
  updateEvent,
} from '../../domain/events/events.js';
import { EventCreate, EventListQuery, EventPatch, EventView } from '../../domain/events/schemas.js';
import { defineRoute, type AnyRoute } from './route.js';
import { pageOf } from './pages.js';

const ORGANISER = ['organiser'] as const;
const tag = 'events';

export const eventRoutes: AnyRoute[] = [
  defineRoute({
    method: 'post',
    path: '/v1/events',
    operationId: 'createEvent',
    summary: 'Create an event, optionally with its ticket types',
    tag,
    roles: ORGANISER,
    body: EventCreate,
    success: { status: 201, description: 'The new event', schema: EventView },
    errors: [400, 401, 403, 413, 415, 422],
    handle: async ({ actor, body, deps }) => ({
      body: await createEvent(deps.db.knex, actor.userId, body),
    }),
  }),
  defineRoute({
    method: 'get',
    path: '/v1/events',
    operationId: 'listEvents',
    summary: "Organisers: their own events. Customers: published events that haven't started",
    tag,
    roles: ['organiser', 'customer'],
    query: EventListQuery,
    success: { status: 200, description: 'A page of events', schema: pageOf(EventView) },
    errors: [401, 422],
    handle: async ({ actor, query, deps }) => ({
      body: await listEvents(deps.db.knex, actor, query),
    }),
  }),
  defineRoute({
    method: 'get',
    path: '/v1/events/:id',
    operationId: 'getEvent',
    summary: 'One event with its ticket types',
    tag,
    roles: ['organiser', 'customer'],
    success: { status: 200, description: 'The event', schema: EventView },
    errors: [401, 404],
    handle: async ({ actor, params, deps }) => ({
      body: await getEvent(deps.db.knex, actor, params.id!),
    }),
  }),
  defineRoute({
    method: 'patch',
    path: '/v1/events/:id',
    operationId: 'updateEvent',
    summary: 'Change an event; ticket holders are told of what they rely on',
    tag,
    roles: ORGANISER,
    body: EventPatch,
    success: { status: 200, description: 'The updated event', schema: EventView },
    errors: [400, 401, 403, 404, 409, 413, 415, 422],
    handle: async ({ actor, params, body, deps }) => ({
      body: await updateEvent(deps.db.knex, actor.userId, params.id!, body),
    }),
  }),
  defineRoute({
    method: 'delete',
    path: '/v1/events/:id',
    operationId: 'deleteEvent',
    summary: 'Delete an event that has no confirmed bookings',
    tag,
    roles: ORGANISER,
    success: { status: 204, description: 'Deleted' },
    errors: [401, 403, 404, 409],
    handle: async ({ actor, params, deps }) => {
      await deleteEvent(deps.db.knex, actor.userId, params.id!);
      return {};
    },
  }),
  defineRoute({
    method: 'get',
    path: '/v1/events/:id/bookings',
    operationId: 'listAttendees',
    summary: 'The attendee list: bookings of your event with who made them',
    tag,
    roles: ORGANISER,
    query: AttendeeListQuery,
    success: { status: 200, description: 'A page of bookings', schema: pageOf(AttendeeView) },
    errors: [401, 403, 404, 422],
    handle: async ({ actor, params, query, deps }) => ({
      body: await listAttendees(deps.db.knex, actor.userId, params.id!, query),
    }),
  }),
];
