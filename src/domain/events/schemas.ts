import { z } from 'zod';
import { currency, label, longText, pageQuery, timestamp, wholeNumber } from '../schemas.js';

/** Limits a demanding organiser will not hit, and a hostile client cannot abuse. */
export const LIMITS = {
  maxPrice: 1_000_000_000_000,
  maxQuantity: 10_000_000,
  maxPerBooking: 1000,
  maxTicketTypesPerEvent: 50,
} as const;

export const EVENT_STATUSES = ['draft', 'published', 'cancelled'] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];

const ticketTypeFields = {
  name: label(100).meta({ description: 'Unique within the event.', example: 'General' }),
  description: longText(2000).meta({ description: 'Default empty.' }),
  price: wholeNumber(0, LIMITS.maxPrice).meta({
    description: 'In minor units of the event currency (2500 is 25.00).',
    example: 2500,
  }),
  quantity: wholeNumber(0, LIMITS.maxQuantity).meta({ description: 'Capacity.', example: 200 }),
  max_per_booking: wholeNumber(1, LIMITS.maxPerBooking).meta({
    description: 'Most tickets of this type in one booking. Default 10.',
  }),
  sales_start: timestamp.nullable().meta({ description: 'Sales open at; null: at once.' }),
  sales_end: timestamp.nullable().meta({ description: 'Sales close at; null: at the start.' }),
};

export const TicketTypeCreate = z
  .strictObject({
    ...ticketTypeFields,
    description: ticketTypeFields.description.default(''),
    max_per_booking: ticketTypeFields.max_per_booking.default(10),
    sales_start: ticketTypeFields.sales_start.default(null),
    sales_end: ticketTypeFields.sales_end.default(null),
  })
  .meta({ id: 'TicketTypeCreate' });
export type TicketTypeCreate = z.output<typeof TicketTypeCreate>;

export const TicketTypePatch = z
  .strictObject({
    name: ticketTypeFields.name.optional(),
    description: ticketTypeFields.description.optional(),
    price: ticketTypeFields.price.optional(),
    quantity: ticketTypeFields.quantity.optional(),
    max_per_booking: ticketTypeFields.max_per_booking.optional(),
    sales_start: ticketTypeFields.sales_start.optional(),
    sales_end: ticketTypeFields.sales_end.optional(),
  })
  .meta({ id: 'TicketTypePatch' });
export type TicketTypePatch = z.output<typeof TicketTypePatch>;

const eventFields = {
  title: label(200).meta({ example: 'Jazz on the Quay' }),
  description: longText(10_000),
  venue: label(200).meta({ example: 'Harbour Hall, Bristol' }),
  starts_at: timestamp,
  ends_at: timestamp,
  currency,
};

export const EventCreate = z
  .strictObject({
    ...eventFields,
    description: eventFields.description.default(''),
    status: z
      .enum(['draft', 'published'], { error: 'must be draft or published' })
      .default('draft')
      .meta({ description: 'Default draft.' }),
    ticket_types: z
      .array(TicketTypeCreate)
      .max(LIMITS.maxTicketTypesPerEvent, {
        error: `must hold at most ${LIMITS.maxTicketTypesPerEvent} ticket types`,
      })
      .default([]),
  })
  .meta({ id: 'EventCreate' });
export type EventCreate = z.output<typeof EventCreate>;

export const EventPatch = z
  .strictObject({
    title: eventFields.title.optional(),
    description: eventFields.description.optional(),
    venue: eventFields.venue.optional(),
    starts_at: eventFields.starts_at.optional(),
    ends_at: eventFields.ends_at.optional(),
    currency: eventFields.currency.optional(),
    status: z.enum(EVENT_STATUSES, { error: 'must be draft, published or cancelled' }).optional(),
  })
  .meta({ id: 'EventPatch' });
export type EventPatch = z.output<typeof EventPatch>;

export const EventListQuery = z.strictObject({
  ...pageQuery,
  q: longText(200).optional().meta({ description: 'Text in the title or description.' }),
  venue: longText(200).optional().meta({ description: 'Text in the venue.' }),
  from: timestamp.optional().meta({ description: 'Events starting at or after.' }),
  to: timestamp.optional().meta({ description: 'Events starting before.' }),
  status: z
    .enum(EVENT_STATUSES)
    .optional()
    .meta({ description: 'Organisers only: one status of their own events.' }),
});
export type EventListQuery = z.output<typeof EventListQuery>;

export const TicketTypeView = z
  .object({
    id: z.string(),
    event_id: z.string(),
    name: z.string(),
    description: z.string(),
    price: z.int(),
    quantity: z.int(),
    available: z.int(),
    sold: z.int().optional().meta({ description: 'Organisers only.' }),
    max_per_booking: z.int(),
    sales_start: z.iso.datetime().nullable(),
    sales_end: z.iso.datetime().nullable(),
  })
  .meta({ id: 'TicketType' });
export type TicketTypeView = z.infer<typeof TicketTypeView>;

export const EventView = z
  .object({
    id: z.string(),
    organiser_id: z.string(),
    title: z.string(),
    description: z.string(),
    venue: z.string(),
    starts_at: z.iso.datetime(),
    ends_at: z.iso.datetime(),
    currency: z.string(),
    status: z.enum(EVENT_STATUSES),
    ticket_types: z.array(TicketTypeView),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
  })
  .meta({ id: 'Event' });
export type EventView = z.infer<typeof EventView>;
