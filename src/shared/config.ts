import { z } from 'zod';
import { ConfigError } from './errors.js';

/**
 * The typed settings of every evbook process, read once at start-up.
 * Precedence: the defaults below, then `EVBOOK_*` environment variables, then flags.
 * The result is frozen and passed in explicitly; nothing else reads `process.env`.
 */
export interface Config {
  /** `sqlite:PATH` or `postgres://...`. Default `sqlite:./evbook.sqlite`. */
  databaseUrl: string;
  /** Unset: jobs run in-process. Set: BullMQ on this Redis. Default unset. */
  redisUrl: string | undefined;
  /** Interface `serve` listens on. Default `127.0.0.1`. */
  host: string;
  /** Port `serve` listens on (0 picks a free one). Default `3000`. */
  port: number;
  /** Issuer and base of links in emails. Default `http://localhost:PORT`. */
  publicUrl: string;
  /** Where client commands send requests. Default `http://localhost:3000`. */
  apiUrl: string;
  /** pino level. Default `info`. */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Sign-ups and failed sign-ins per minute per client address. Default `10`. */
  authRateLimit: number;
  /** Largest accepted request body in bytes. Default 1 MiB. */
  bodyLimitBytes: number;
  /** `console` (one log line per email) or `smtp(s)://[user:pass@]host:port`. Default `console`. */
  mailUrl: string;
  /** Sender of every email. Default `evbook <no-reply@localhost>`. */
  mailFrom: string;
  /** Prefix of every BullMQ key in Redis. Default `evbook`. */
  queuePrefix: string;
  /** Attempts per notification job before it is kept as failed. Default `8`. */
  jobAttempts: number;
  /** First retry delay; each later one doubles it. Default `1000` ms. */
  jobBackoffMs: number;
  /** How long a worker holds a job before another may take it over. Default `30000` ms. */
  jobLockMs: number;
  /** How often an idle outbox dispatcher looks for new rows. Default `1000` ms. */
  outboxPollMs: number;
  /** Browser origins allowed to call the API (CORS). Default none: CORS off. */
  corsOrigins: string[];
  /**
   * Reverse proxies in front of `serve` that append to X-Forwarded-For. 0 (default):
   * the socket address is the client. N: the client is the Nth address from the
   * right of X-Forwarded-For, and X-Forwarded-Proto/Host are believed.
   */
  trustProxyHops: number;
  /**
   * PostgreSQL, in `serve` and `worker`: the longest wait for the database in one
   * step: opening a connection, one query (given up by the client, and by the server
   * as `statement_timeout`), a transaction left idle by its client (the server's
   * `idle_in_transaction_session_timeout`). Waiting for a free pooled connection
   * gives up after twice this. Default `5000` ms.
   */
  dbTimeoutMs: number;
  /**
   * Port of the Prometheus endpoint of `evbook worker` (`/metrics`, on `host`). Unset
   * (default): no endpoint. 0 picks a free port.
   */
  workerMetricsPort: number | undefined;
}

/** Where each setting comes from in the environment, so errors can name it. */
export const ENV_NAMES = {
  databaseUrl: 'EVBOOK_DATABASE_URL',
  redisUrl: 'EVBOOK_REDIS_URL',
  host: 'EVBOOK_HOST',
  port: 'EVBOOK_PORT',
  publicUrl: 'EVBOOK_PUBLIC_URL',
  apiUrl: 'EVBOOK_API_URL',
  logLevel: 'EVBOOK_LOG_LEVEL',
  authRateLimit: 'EVBOOK_AUTH_RATE_LIMIT',
  bodyLimitBytes: 'EVBOOK_BODY_LIMIT_BYTES',
  mailUrl: 'EVBOOK_MAIL_URL',
  mailFrom: 'EVBOOK_MAIL_FROM',
  queuePrefix: 'EVBOOK_QUEUE_PREFIX',
  jobAttempts: 'EVBOOK_JOB_ATTEMPTS',
  jobBackoffMs: 'EVBOOK_JOB_BACKOFF_MS',
  jobLockMs: 'EVBOOK_JOB_LOCK_MS',
  outboxPollMs: 'EVBOOK_OUTBOX_POLL_MS',
  corsOrigins: 'EVBOOK_CORS_ORIGINS',
  trustProxyHops: 'EVBOOK_TRUST_PROXY_HOPS',
  dbTimeoutMs: 'EVBOOK_DB_TIMEOUT_MS',
  workerMetricsPort: 'EVBOOK_WORKER_METRICS_PORT',
} as const satisfies Record<keyof Config, string>;

export type ConfigKey = keyof Config;
/** Values given on the command line, already named by the flag that carried them. */
export type ConfigOverrides = Partial<Record<ConfigKey, { value: string | number; flag: string }>>;

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

const databaseUrl = z
  .string()
  .refine((value) => /^sqlite:.+/.test(value) || /^postgres(ql)?:\/\/.+/.test(value), {
    error: 'must be sqlite:PATH or postgres://...',
  });

const redisUrl = z.url({ protocol: /^rediss?$/, error: 'must be a redis:// URL' });

const integer = (min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a whole number' })
    .int({ error: 'must be a whole number' })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });

const FIELDS: { [K in ConfigKey]: z.ZodType<Config[K]> } = {
  databaseUrl,
  redisUrl: redisUrl.optional(),
  host: z.string().min(1, { error: 'must not be empty' }),
  port: integer(0, 65535),
  publicUrl: httpUrl,
  apiUrl: httpUrl,
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    error: 'must be one of fatal, error, warn, info, debug, trace, silent',
  }),
  authRateLimit: integer(1, 1_000_000),
  bodyLimitBytes: integer(1024, 100 * 1024 * 1024),
  mailUrl: z.string().refine((value) => value === 'console' || /^smtps?:\/\/.+/.test(value), {
    error: 'must be console or smtp(s)://host:port',
  }),
  mailFrom: z
    .string()
    .min(3, { error: 'must be an address such as evbook <no-reply@example.com>' }),
  queuePrefix: z.string().regex(/^[\w.-]+$/, { error: 'must be letters, digits, ".", "_" or "-"' }),
  jobAttempts: integer(1, 100),
  jobBackoffMs: integer(1, 3_600_000),
  jobLockMs: integer(100, 3_600_000),
  outboxPollMs: integer(10, 3_600_000),
  corsOrigins: z.preprocess(
    (value) =>
      typeof value === 'string'
        ? value
            .split(',')
            .map((origin) => origin.trim())
            .filter(Boolean)
        : value,
    z.array(
      z
        .url({ protocol: /^https?$/, error: 'must be a comma-separated list of http(s) origins' })
        .transform((url) => new URL(url).origin),
    ),
  ),
  trustProxyHops: integer(0, 10),
  dbTimeoutMs: integer(100, 600_000),
  workerMetricsPort: integer(0, 65535).optional(),
};

const DEFAULTS: Omit<Config, 'publicUrl' | 'redisUrl' | 'workerMetricsPort'> = {
  databaseUrl: 'sqlite:./evbook.sqlite',
  host: '127.0.0.1',
  port: 3000,
  apiUrl: 'http://localhost:3000',
  logLevel: 'info',
  authRateLimit: 10,
  bodyLimitBytes: 1024 * 1024,
  mailUrl: 'console',
  mailFrom: 'evbook <no-reply@localhost>',
  queuePrefix: 'evbook',
  jobAttempts: 8,
  jobBackoffMs: 1000,
  jobLockMs: 30_000,
  outboxPollMs: 1000,
  corsOrigins: [],
  trustProxyHops: 0,
  dbTimeoutMs: 5000,
};

/**
 * Builds the configuration from the environment and flags. Throws a ConfigError
 * naming the first bad variable or flag and what it must be.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: ConfigOverrides = {},
): Readonly<Config> {
  const raw: Partial<Record<ConfigKey, unknown>> = { ...DEFAULTS };
  const source: Partial<Record<ConfigKey, string>> = {};

  for (const key of Object.keys(ENV_NAMES) as ConfigKey[]) {
    const name = ENV_NAMES[key];
    const value = env[name];
    if (value !== undefined && value !== '') {
      raw[key] = value;
      source[key] = name;
    }
    const override = overrides[key];
    if (override !== undefined) {
      raw[key] = override.value;
      source[key] = override.flag;
    }
  }

  const parsed: Partial<Config> = {};
  for (const key of Object.keys(FIELDS) as ConfigKey[]) {
    if (key === 'publicUrl' && raw.publicUrl === undefined) continue;
    const result = FIELDS[key].safeParse(raw[key]);
    if (!result.success) {
      const name = source[key] ?? ENV_NAMES[key];
      const message = result.error.issues[0]?.message ?? 'is invalid';
      throw new ConfigError(`${name} ${message} (got ${JSON.stringify(raw[key])})`);
    }
    (parsed as Record<string, unknown>)[key] = result.data;
  }

  const config = parsed as Config;
  config.publicUrl = stripTrailingSlash(config.publicUrl ?? `http://localhost:${config.port}`);
  config.apiUrl = stripTrailingSlash(config.apiUrl);
  return Object.freeze(config);
}

function stripTrailingSlash(url: string): string {
  return url.endsWith('/') ? url.slice(0, -1) : url;
}
