/**
 * One error tree for the whole program. Each class fixes the HTTP status, the CLI exit
 * code, whether a retry can help and a default title; each instance carries a stable
 * `code` slug (API.md) that callers branch on, never the message text.
 */

/** One field-level problem, reported in problem+json `errors[]`. */
export interface FieldError {
  /** JSON path of the offending field, e.g. `items.0.quantity` ('' for the body). */
  path: string;
  message: string;
}

export interface AppErrorOptions {
  cause?: unknown;
  errors?: FieldError[];
  /** Extra members for the problem+json body, e.g. what is still available. */
  extra?: Record<string, unknown>;
}

export abstract class AppError extends Error {
  abstract readonly status: number;
  abstract readonly exitCode: number;
  abstract readonly title: string;
  readonly retryable: boolean = false;
  readonly code: string;
  readonly errors: FieldError[] | undefined;
  readonly extra: Record<string, unknown> | undefined;

  constructor(code: string, detail: string, options: AppErrorOptions = {}) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.errors = options.errors;
    this.extra = options.extra;
  }

  /** The human sentence for this occurrence (problem+json `detail`). */
  get detail(): string {
    return this.message;
  }
}

export class UsageError extends AppError {
  readonly status = 400;
  readonly exitCode = 64;
  readonly title = 'Bad request';
}

export class ValidationError extends AppError {
  readonly status = 422;
  readonly exitCode = 65;
  readonly title = 'Validation failed';

  constructor(detail: string, errors: FieldError[] = [], code = 'validation_failed') {
    super(code, detail, { errors });
  }
}

export class NotFoundError extends AppError {
  readonly status = 404;
  readonly exitCode = 66;
  readonly title = 'Not found';

  constructor(detail = 'No such resource.') {
    super('not_found', detail);
  }
}

export class ConflictError extends AppError {
  readonly status = 409;
  /** 67: a state conflict (sold out, not on sale, ...), distinct from bad input (65). */
  readonly exitCode = 67;
  readonly title = 'Conflict';
}

export class AuthError extends AppError {
  readonly status = 401;
  readonly exitCode = 77;
  readonly title = 'Unauthorized';

  constructor(detail = 'A valid access token is required.', options: AppErrorOptions = {}) {
    super('unauthorized', detail, options);
  }
}

export class ForbiddenError extends AppError {
  readonly status = 403;
  readonly exitCode = 77;
  readonly title = 'Forbidden';

  constructor(detail = 'Your role may not do this.') {
    super('forbidden', detail);
  }
}

export class PayloadTooLargeError extends AppError {
  readonly status = 413;
  readonly exitCode = 64;
  readonly title = 'Payload too large';
}

export class UnsupportedMediaTypeError extends AppError {
  readonly status = 415;
  readonly exitCode = 64;
  readonly title = 'Unsupported media type';
}

export class RateLimitedError extends AppError {
  readonly status = 429;
  readonly exitCode = 75;
  readonly title = 'Too many requests';
  override readonly retryable = true;

  constructor(
    detail: string,
    readonly retryAfterSeconds: number,
  ) {
    super('rate_limited', detail);
  }
}

export class UnavailableError extends AppError {
  readonly status = 503;
  readonly exitCode = 75;
  readonly title = 'Service unavailable';
  override readonly retryable = true;
}

/** A bad setting: never reaches HTTP; the process stops with exit 78. */
export class ConfigError extends AppError {
  readonly status = 500;
  readonly exitCode = 78;
  readonly title = 'Configuration error';

  constructor(detail: string) {
    super('config_invalid', detail);
  }
}

export class InternalError extends AppError {
  readonly status = 500;
  readonly exitCode = 70;
  readonly title = 'Internal server error';

  constructor(detail = 'Something went wrong on our side.', cause?: unknown) {
    super('internal_error', detail, { cause });
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
