import { createBooking } from '../../domain/bookings/bookings.js';
import { cancelBooking } from '../../domain/bookings/cancel.js';
import { getBooking, listBookings } from '../../domain/bookings/queries.js';
import { BookingCreate, BookingListQuery, BookingView } from '../../domain/bookings/schemas.js';
import { defineRoute, type AnyRoute } from './route.js';
import { pageOf } from './pages.js';

const CUSTOMER = ['customer'] as const;
const tag = 'bookings';

export const bookingRoutes: AnyRoute[] = [
  defineRoute({
    method: 'post',
    path: '/v1/bookings',
    operationId: 'createBooking',
    summary: 'Book tickets, all or nothing',
    tag,
    roles: CUSTOMER,
    body: BookingCreate,
    headers: [
      {
        name: 'Idempotency-Key',
        description:
          'Up to 255 characters. A repeat with the same body returns the original booking ' +
          '(with `Idempotent-Replayed: true`) and books nothing; with another body it is a 422.',
      },
    ],
    success: { status: 201, description: 'The confirmed booking', schema: BookingView },
    errors: [400, 401, 403, 404, 409, 413, 415, 422],
    handle: async ({ actor, body, headers, deps }) => {
      const key = headers['idempotency-key'];
      const outcome = await createBooking(deps.db.knex, actor.userId, body, {
        idempotencyKey: Array.isArray(key) ? key.join(', ') : key,
      });
      return {
        body: outcome.booking,
        headers: { 'Idempotent-Replayed': String(outcome.replayed) },
      };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/v1/bookings',
    operationId: 'listBookings',
    summary: 'Your bookings, newest first',
    tag,
    roles: CUSTOMER,
    query: BookingListQuery,
    success: { status: 200, description: 'A page of bookings', schema: pageOf(BookingView) },
    errors: [401, 403, 422],
    handle: async ({ actor, query, deps }) => ({
      body: await listBookings(deps.db.knex, actor.userId, query),
    }),
  }),
  defineRoute({
    method: 'get',
    path: '/v1/bookings/:id',
    operationId: 'getBooking',
    summary: 'One of your bookings',
    tag,
    roles: CUSTOMER,
    success: { status: 200, description: 'The booking', schema: BookingView },
    errors: [401, 403, 404],
    handle: async ({ actor, params, deps }) => ({
      body: await getBooking(deps.db.knex, actor.userId, params.id!),
    }),
  }),
  defineRoute({
    method: 'post',
    path: '/v1/bookings/:id/cancel',
    operationId: 'cancelBooking',
    summary: 'Cancel your booking; its tickets return to stock at once',
    tag,
    roles: CUSTOMER,
    success: { status: 200, description: 'The cancelled booking', schema: BookingView },
    errors: [401, 403, 404, 409],
    handle: async ({ actor, params, deps }) => ({
      body: await cancelBooking(deps.db.knex, actor.userId, params.id!),
    }),
  }),
];
