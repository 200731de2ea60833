import { SignJWT, importJWK } from 'jose';
import { startServer, type RunningServer } from '../../src/api/server.js';
import { loadSigningKeys } from '../../src/auth/keys.js';
import { tokenIdentity } from '../../src/auth/tokens.js';
import { startNotifier } from '../../src/jobs/notifier.js';
import type { Role } from '../../src/domain/actor.js';
import { createUser, type UserView } from '../../src/domain/users/users.js';
import { loadConfig, type Config } from '../../src/shared/config.js';
import { createLogger } from '../../src/shared/logger.js';
import type { TestDatabase } from './databases.js';

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  /** Sent as is, instead of JSON-encoding `body`. */
  raw?: string;
  headers?: Record<string, string>;
}

/** A real `serve` in this process, on a free port, over a test database. */
export class TestApi {
  private constructor(
    readonly server: RunningServer,
    readonly config: Readonly<Config>,
    readonly database: TestDatabase,
  ) {}

  /**
   * Starts `serve` on `database`; with `notifications`, with its notifier as well
   * (embedded, or BullMQ when `env` sets EVBOOK_REDIS_URL), as `evbook serve` runs.
   */
  static async start(
    database: TestDatabase,
    env: Record<string, string> = {},
    options: { notifications?: boolean } = {},
  ): Promise<TestApi> {
    const config = loadConfig({
      EVBOOK_DATABASE_URL: database.url,
      EVBOOK_PORT: '0',
      EVBOOK_LOG_LEVEL: 'silent',
      EVBOOK_PUBLIC_URL: 'http://evbook.test',
      ...env,
    });
    const logger = createLogger({ level: 'silent' });
    const server = await startServer(config, logger, {
      migrate: false,
      background: options.notifications ? (db) => startNotifier(config, db, logger) : undefined,
    });
    return new TestApi(server, config, database);
  }

  get url(): string {
    return this.server.url;
  }

  async stop(): Promise<void> {
    await this.server.close();
  }

  async request<T = any>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined = options.raw;
    if (body === undefined && options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${this.url}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // Leave non-JSON bodies as text for the assertion to show.
    }
    return { status: response.status, headers: response.headers, body: parsed as T };
  }

  /** A signed access token as the authorization server would issue it. */
  async token(user: { id: string; role: Role }, overrides: TokenOverrides = {}): Promise<string> {
    return signTestToken(this.database, this.config.publicUrl, user, overrides);
  }

  /** A new user of `role` and an access token for them. */
  async user(
    role: Role,
    name = `${role} ${Math.random().toString(36).slice(2, 8)}`,
  ): Promise<TestUser> {
    const user = await createUser(this.database.db.knex, {
      email: `${name.replace(/\W+/g, '.')}@example.test`,
      name,
      role,
      passwordHash: null,
    });
    return { ...user, token: await this.token(user) };
  }
}

export interface TestUser extends UserView {
  token: string;
}

export interface TokenOverrides {
  issuer?: string;
  audience?: string;
  expiresIn?: string | number;
  notBefore?: string | number;
  typ?: string;
  claims?: Record<string, unknown>;
}

/**
 * Signs a JWT access token with the server's own key, as the OAuth server will.
 * Tests only: production code never signs tokens outside the authorization server.
 */
export async function signTestToken(
  database: TestDatabase,
  publicUrl: string,
  user: { id: string; role: Role },
  overrides: TokenOverrides = {},
): Promise<string> {
  const [key] = await loadSigningKeys(database.db.knex);
  const identity = tokenIdentity(publicUrl);
  const jwt = new SignJWT({ role: user.role, ...overrides.claims })
    .setProtectedHeader({ alg: key!.alg, kid: key!.kid, typ: overrides.typ ?? 'at+jwt' })
    .setSubject(user.id)
    .setIssuer(overrides.issuer ?? identity.issuer)
    .setAudience(overrides.audience ?? identity.audience)
    .setIssuedAt()
    .setExpirationTime(overrides.expiresIn ?? '10m');
  if (overrides.notBefore !== undefined) jwt.setNotBefore(overrides.notBefore);
  return jwt.sign(await importJWK(key!.privateJwk, key!.alg));
}
