import { z } from 'zod';
import { opaqueId, pageQuery, wholeNumber } from '../schemas.js';
import { LIMITS } from '../events/schemas.js';

export const BOOKING_STATUSES = ['confirmed', 'cancelled'] as const;
export type BookingStatus = (typeof BOOKING_STATUSES)[number];

export const BookingCreate = z
  .strictObject({
    event_id: opaqueId,
    items: z
      .array(
        z.strictObject({
          ticket_type_id: opaqueId,
          quantity: wholeNumber(1, LIMITS.maxPerBooking).meta({
            description: "From 1 to the type's max_per_booking.",
          }),
        }),
        { error: 'must be a list of { ticket_type_id, quantity }' },
      )
      .min(1, { error: 'must hold at least one item' })
      .max(LIMITS.maxTicketTypesPerEvent, {
        error: `must hold at most ${LIMITS.maxTicketTypesPerEvent} items`,
      }),
  })
  .meta({ id: 'BookingCreate' });
export type BookingCreate = z.output<typeof BookingCreate>;

export const BookingListQuery = z.strictObject({
  ...pageQuery,
  status: z
    .enum(BOOKING_STATUSES)
    .optional()
    .meta({ description: 'Only bookings in this status.' }),
  event_id: opaqueId.optional().meta({ description: 'Only bookings of this event.' }),
});
export type BookingListQuery = z.output<typeof BookingListQuery>;

export const AttendeeListQuery = z.strictObject({
  ...pageQuery,
  status: z
    .enum(BOOKING_STATUSES)
    .optional()
    .meta({ description: 'Only bookings in this status. Default: all.' }),
});
export type AttendeeListQuery = z.output<typeof AttendeeListQuery>;

export const IDEMPOTENCY_KEY_MAX = 255;

export const BookingItemView = z.object({
  ticket_type_id: z.string(),
  name: z.string(),
  quantity: z.int(),
  unit_price: z.int(),
});

export const BookingView = z
  .object({
    id: z.string(),
    event_id: z.string(),
    customer_id: z.string(),
    status: z.enum(BOOKING_STATUSES),
    items: z.array(BookingItemView),
    total: z.int(),
    currency: z.string(),
    created_at: z.iso.datetime(),
    cancelled_at: z.iso.datetime().nullable(),
  })
  .meta({ id: 'Booking' });
export type BookingView = z.infer<typeof BookingView>;

export const AttendeeView = BookingView.extend({
  customer: z.object({ id: z.string(), name: z.string(), email: z.string() }),
}).meta({
  id: 'Attendee',
  description: 'A booking as its event organiser sees it: with who made it.',
});
export type AttendeeView = z.infer<typeof AttendeeView>;
