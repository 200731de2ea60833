import type { TestApi, TestUser } from './api.js';

const DAY = 24 * 60 * 60 * 1000;

/** A timestamp `days` from now, as an API string. */
export function inDays(days: number): string {
  return new Date(Date.now() + days * DAY).toISOString();
}

/** A valid event body; published with two ticket types unless told otherwise. */
export function eventBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: 'Jazz on the Quay',
    description: 'An evening of jazz.',
    venue: 'Harbour Hall',
    starts_at: inDays(30),
    ends_at: inDays(30.1),
    currency: 'EUR',
    status: 'published',
    ticket_types: [
      { name: 'General', price: 2500, quantity: 100 },
      { name: 'VIP', price: 9000, quantity: 10, max_per_booking: 4 },
    ],
    ...overrides,
  };
}

/** Creates an event through the API and returns it (throws on any non-201). */
export async function createEvent(
  api: TestApi,
  organiser: TestUser,
  overrides: Record<string, unknown> = {},
): Promise<any> {
  const response = await api.request('POST', '/v1/events', {
    token: organiser.token,
    body: eventBody(overrides),
  });
  if (response.status !== 201) {
    throw new Error(`createEvent: ${response.status} ${JSON.stringify(response.body)}`);
  }
  return response.body;
}

/** Books through the API; returns the raw response. */
export function book(
  api: TestApi,
  customer: TestUser,
  eventId: string,
  items: Array<{ ticket_type_id: string; quantity: number }>,
  headers: Record<string, string> = {},
) {
  return api.request('POST', '/v1/bookings', {
    token: customer.token,
    body: { event_id: eventId, items },
    headers,
  });
}

/**
 * The `i`th booking of a fault load over two ticket types: every third takes both
 * (one to four of the first), the others one or two of either, so that the load mixes
 * single and multi-item bookings and both types run out.
 */
export function mixedItems(
  i: number,
  first: { id: string },
  second: { id: string },
): Array<{ ticket_type_id: string; quantity: number }> {
  return i % 3 === 0
    ? [
        { ticket_type_id: first.id, quantity: 1 + (i % 4) },
        { ticket_type_id: second.id, quantity: 1 },
      ]
    : [{ ticket_type_id: i % 2 ? first.id : second.id, quantity: 1 + (i % 2) }];
}
