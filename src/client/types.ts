/**
 * The objects of API.md as the client sees them. Field names stay snake_case, as on
 * the wire, so that `--json` prints exactly what the API returned.
 */

export type EventStatus = 'draft' | 'published' | 'cancelled';
export type BookingStatus = 'confirmed' | 'cancelled';

export interface TicketType {
  id: string;
  event_id: string;
  name: string;
  description: string;
  /** Minor units of the event's currency. */
  price: number;
  quantity: number;
  available: number;
  /** Organisers only. */
  sold?: number;
  max_per_booking: number;
  sales_start: string | null;
  sales_end: string | null;
}

export interface Event {
  id: string;
  organiser_id: string;
  title: string;
  description: string;
  venue: string;
  starts_at: string;
  ends_at: string;
  currency: string;
  status: EventStatus;
  ticket_types: TicketType[];
  created_at: string;
  updated_at: string;
}

export interface BookingItem {
  ticket_type_id: string;
  name: string;
  quantity: number;
  unit_price: number;
}

export interface Booking {
  id: string;
  event_id: string;
  customer_id: string;
  status: BookingStatus;
  items: BookingItem[];
  total: number;
  currency: string;
  created_at: string;
  cancelled_at: string | null;
}

/** A booking as the event's organiser sees it, with who made it. */
export interface Attendee extends Booking {
  customer: { id: string; name: string; email: string };
}

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

export interface TicketTypeCreate {
  name: string;
  price: number;
  quantity: number;
  description?: string;
  max_per_booking?: number;
  sales_start?: string | null;
  sales_end?: string | null;
}

export type TicketTypePatch = Partial<TicketTypeCreate>;

export interface EventCreate {
  title: string;
  venue: string;
  starts_at: string;
  ends_at: string;
  currency: string;
  description?: string;
  status?: 'draft' | 'published';
  ticket_types?: TicketTypeCreate[];
}

export interface EventPatch {
  title?: string;
  description?: string;
  venue?: string;
  starts_at?: string;
  ends_at?: string;
  currency?: string;
  status?: EventStatus;
}

export interface EventListQuery {
  q?: string;
  venue?: string;
  from?: string;
  to?: string;
  status?: EventStatus;
}

export interface BookingListQuery {
  status?: BookingStatus;
  event_id?: string;
}

export interface AttendeeListQuery {
  status?: BookingStatus;
}

export interface BookingCreate {
  event_id: string;
  items: { ticket_type_id: string; quantity: number }[];
}
