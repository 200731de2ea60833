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
} from '../shared/errors.js';

export interface User {
  id: string;
  email: string;
  name: string;
  role: 'organiser' | 'customer';
  created_at: string;
}

export interface SignupRequest {
  email: string;
  password: string;
  name: string;
  role: 'organiser' | 'customer';
}

export interface ApiClientCredential {
  client_id: string;
  name: string;
  created_at: string;
  /** Only in the answer to create. */
  client_secret?: string;
}

interface Problem {
  status?: number;
  code?: string;
  detail?: string;
  title?: string;
}

/** A typed client of API.md over fetch; failures come back as the AppError of their status. */
export class ApiClient {
  constructor(
    readonly apiUrl: string,
    private readonly token?: () => Promise<string>,
  ) {}

  signup(body: SignupRequest): Promise<User> {
    return this.request('POST', '/v1/signup', body, false);
  }

  me(): Promise<User> {
    return this.request('GET', '/v1/me');
  }

  createApiClient(name: string): Promise<ApiClientCredential> {
    return this.request('POST', '/v1/api-clients', { name });
  }

  async listApiClients(): Promise<ApiClientCredential[]> {
    return (await this.request<{ data: ApiClientCredential[] }>('GET', '/v1/api-clients')).data;
  }

  async revokeApiClient(clientId: string): Promise<void> {
    await this.request('DELETE', `/v1/api-clients/${encodeURIComponent(clientId)}`);
  }

  private async request<T>(method: string, path: string, body?: unknown, auth = true): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (auth && this.token) headers.authorization = `Bearer ${await this.token()}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${this.apiUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new UnavailableError('unreachable', `Cannot reach the evbook API at ${this.apiUrl}.`, {
        cause: error,
      });
    }
    const text = await response.text();
    const parsed = text ? (JSON.parse(text) as unknown) : undefined;
    if (response.ok) return parsed as T;
    throw toError(response, (parsed ?? {}) as Problem);
  }
}

/** The problem+json of API.md back into the error tree (and so into exit codes). */
function toError(response: Response, problem: Problem): AppError {
  const detail = problem.detail ?? problem.title ?? `HTTP ${response.status}`;
  const code = problem.code ?? 'error';
  switch (response.status) {
    case 400:
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
      return new ValidationError(detail, [], code);
    case 429:
      return new RateLimitedError(detail, Number(response.headers.get('retry-after') ?? 60));
    case 503:
      return new UnavailableError(code, detail);
    default:
      return new InternalError(detail);
  }
}
