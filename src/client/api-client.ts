import {
  AuthError,
  ConflictError,
  ForbiddenError,
  InternalError,
  NotFoundError,
  RateLimitedError,
  UnavailableError,
  UsageError,
  ValidationError,
  type AppError,
  type FieldError,
} from '../shared/errors.js';
import type {
  Attendee,
  AttendeeListQuery,
  Booking,
  BookingCreate,
  BookingListQuery,
  Event,
  EventCreate,
  EventListQuery,
  EventPatch,
  Page,
  TicketType,
  TicketTypeCreate,
  TicketTypePatch,
} from './types.js';

export type * from './types.js';

export interface User {
  id: string;
  email: string;
  name: string;
  role: 'organiser' | 'customer';
  created_at: string;
}

export interface ApiClientCredential {
  client_id: string;
  name: string;
  created_at: string;
  /** Only in the answer to create. */
  client_secret?: string;
}

export interface SignupRequest {
  email: string;
  password: string;
  name: string;
  role: 'organiser' | 'customer';
}

/** Cursor paging of a list request: `limit` 1..100 (server default 20). */
export interface PageQuery {
  limit?: number;
  cursor?: string;
}

/** How a request survives a dropped connection. */
export interface RetryOptions {
  /** Extra attempts after a network failure. Default 0: a failure is final. */
  retries?: number;
  /** Wait before the first retry, doubled for each further one. Default 250 ms. */
  baseDelayMs?: number;
  /** Told about each retry before its wait (for a notice on stderr). */
  onRetry?: (attempt: number, error: unknown) => void;
}

export interface BookOptions extends RetryOptions {
  /** Sent as `Idempotency-Key`, the same on every retry, so a retry never books twice. */
  idempotencyKey: string;
}

interface RequestOptions extends RetryOptions {
  body?: unknown;
  query?: object;
  headers?: Record<string, string>;
  /** Send the access token. Default true. */
  auth?: boolean;
}

interface Problem {
  status?: number;
  code?: string;
  detail?: string;
  title?: string;
  errors?: FieldError[];
}

/** A typed client of API.md over fetch; failures come back as the AppError of their status. */
export class ApiClient {
  /**
   * @param token supplies the access token (none: anonymous requests).
   * @param timeoutMs gives up on an answer after this long. Default 30 s.
   */
  constructor(
    readonly apiUrl: string,
    private readonly token?: () => Promise<string>,
    private readonly timeoutMs = 30_000,
  ) {}

  signup(body: SignupRequest): Promise<User> {
    return this.request('POST', '/v1/signup', { body, auth: false });
  }

  me(): Promise<User> {
    return this.request('GET', '/v1/me');
  }

  createApiClient(name: string): Promise<ApiClientCredential> {
    return this.request('POST', '/v1/api-clients', { body: { name } });
  }

  async listApiClients(): Promise<ApiClientCredential[]> {
    return (await this.request<{ data: ApiClientCredential[] }>('GET', '/v1/api-clients')).data;
  }

  async revokeApiClient(clientId: string): Promise<void> {
    await this.request('DELETE', `/v1/api-clients/${encodeURIComponent(clientId)}`);
  }

  // Events

  listEvents(query: EventListQuery & PageQuery = {}): Promise<Page<Event>> {
    return this.request('GET', '/v1/events', { query });
  }

  getEvent(id: string): Promise<Event> {
    return this.request('GET', `/v1/events/${encode(id)}`);
  }

  createEvent(body: EventCreate): Promise<Event> {
    return this.request('POST', '/v1/events', { body });
  }

  updateEvent(id: string, body: EventPatch): Promise<Event> {
    return this.request('PATCH', `/v1/events/${encode(id)}`, { body });
  }

  deleteEvent(id: string): Promise<void> {
    return this.request('DELETE', `/v1/events/${encode(id)}`);
  }

  // Ticket types

  addTicketType(eventId: string, body: TicketTypeCreate): Promise<TicketType> {
    return this.request('POST', `/v1/events/${encode(eventId)}/ticket-types`, { body });
  }

  updateTicketType(eventId: string, id: string, body: TicketTypePatch): Promise<TicketType> {
    const path = `/v1/events/${encode(eventId)}/ticket-types/${encode(id)}`;
    return this.request('PATCH', path, { body });
  }

  removeTicketType(eventId: string, id: string): Promise<void> {
    return this.request('DELETE', `/v1/events/${encode(eventId)}/ticket-types/${encode(id)}`);
  }

  // Attendees (organisers)

  listAttendees(
    eventId: string,
    query: AttendeeListQuery & PageQuery = {},
  ): Promise<Page<Attendee>> {
    return this.request('GET', `/v1/events/${encode(eventId)}/bookings`, { query });
  }

  // Bookings (customers)

  /**
   * Books tickets. The idempotency key makes retries after a network failure safe:
   * the server answers a repeat with the original booking and books nothing new.
   */
  createBooking(body: BookingCreate, options: BookOptions): Promise<Booking> {
    const { idempotencyKey, ...retry } = options;
    const headers = { 'idempotency-key': idempotencyKey };
    return this.request('POST', '/v1/bookings', { body, headers, ...retry });
  }

  listBookings(query: BookingListQuery & PageQuery = {}): Promise<Page<Booking>> {
    return this.request('GET', '/v1/bookings', { query });
  }

  getBooking(id: string): Promise<Booking> {
    return this.request('GET', `/v1/bookings/${encode(id)}`);
  }

  cancelBooking(id: string): Promise<Booking> {
    return this.request('POST', `/v1/bookings/${encode(id)}/cancel`);
  }

  private async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (options.auth !== false && this.token) {
      headers.authorization = `Bearer ${await this.token()}`;
    }
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const url = `${this.apiUrl}${path}${queryString(options.query)}`;
    const init = {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    };

    const response = await this.fetchWithRetries(url, init, options);

    const text = await response.text();
    const parsed = text ? parseJson(text) : undefined;
    if (response.ok) return parsed as T;
    throw toError(response, (parsed ?? {}) as Problem);
  }

  /** fetch, retried with doubling waits when the connection fails (never on an HTTP answer). */
  private async fetchWithRetries(
    url: string,
    init: RequestInit,
    options: RetryOptions,
  ): Promise<Response> {
    const retries = options.retries ?? 0;
    const baseDelayMs = options.baseDelayMs ?? 250;
    for (let attempt = 0; ; attempt++) {
      try {
        return await fetch(url, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
      } catch (error) {
        if (attempt >= retries) {
          const timedOut = error instanceof Error && error.name === 'TimeoutError';
          const detail = timedOut
            ? `The evbook API at ${this.apiUrl} did not answer within ${this.timeoutMs / 1000} s.`
            : `Cannot reach the evbook API at ${this.apiUrl}.`;
          throw new UnavailableError(timedOut ? 'timeout' : 'unreachable', detail, {
            cause: error,
          });
        }
        options.onRetry?.(attempt + 1, error);
        await new Promise((resolve) => setTimeout(resolve, baseDelayMs * 2 ** attempt));
      }
    }
  }
}

/** Every item of a paginated list, page after page, stopping at `max` items. */
export async function collectPages<T>(
  fetchPage: (cursor: string | undefined, limit: number) => Promise<Page<T>>,
  max = Number.POSITIVE_INFINITY,
  onPage?: (count: number) => void,
): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await fetchPage(cursor, Math.min(100, max - items.length));
    items.push(...page.data);
    onPage?.(items.length);
    cursor = page.next_cursor ?? undefined;
  } while (cursor && items.length < max);
  return items.slice(0, max);
}

function encode(id: string): string {
  return encodeURIComponent(id);
}

function queryString(query: object | undefined): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { detail: text.slice(0, 200) };
  }
}

/**
 * The problem+json of API.md back into the error tree (and so into exit codes). The
 * message names the problem's `code` and the first field errors, on one line.
 */
function toError(response: Response, problem: Problem): AppError {
  const code = problem.code ?? 'error';
  const fields = (problem.errors ?? [])
    .slice(0, 3)
    .map((e) => (e.path ? `${e.path}: ${e.message}` : e.message));
  const base = (problem.detail ?? problem.title ?? `HTTP ${response.status}`).replace(/\s+/g, ' ');
  const detail = `${base}${fields.length ? ` (${fields.join('; ')})` : ''} [${code}]`;
  switch (response.status) {
    case 400:
    case 413:
    case 415:
      return new UsageError(code, detail);
    case 401:
      return new AuthError(detail);
    case 403:
      return new ForbiddenError(detail);
    case 404:
      return new NotFoundError(detail);
    case 409:
      return new ConflictError(code, detail);
    case 422:
      return new ValidationError(detail, problem.errors ?? [], code);
    case 429:
      return new RateLimitedError(detail, Number(response.headers.get('retry-after') ?? 60));
    case 503:
      return new UnavailableError(code, detail);
    default:
      return new InternalError(detail);
  }
}
