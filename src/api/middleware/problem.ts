import type Koa from 'koa';
import {
  AppError,
  AuthError,
  InternalError,
  isAppError,
  PayloadTooLargeError,
  RateLimitedError,
  UnavailableError,
  UnsupportedMediaTypeError,
  UsageError,
} from '../../shared/errors.js';
import { isConnectionFailure } from '../../db/sql.js';
import type { ApiState } from '../context.js';

export const PROBLEM_TYPE = 'application/problem+json';

/** `Retry-After` of a 503: long enough not to hammer a database that is coming back. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/**
 * Renders every failure as RFC 9457 problem details, in one place. Client errors
 * say what was wrong; server errors say only that something was, with the request
 * id to quote, and the real error goes to the log.
 */
export function problemDetails(): Koa.Middleware<ApiState> {
  return async function renderProblems(ctx, next) {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new AppErrorNotFoundRoute();
      }
    } catch (thrown) {
      const error = toAppError(thrown);
      if (error.status >= 500) {
        ctx.state.logger.error({ err: thrown }, 'request failed');
      } else {
        ctx.state.logger.info({ code: error.code, status: error.status }, 'request refused');
      }
      renderProblem(ctx, error);
    }
  };
}

export function renderProblem(ctx: Koa.ParameterizedContext<ApiState>, error: AppError): void {
  const exposed = error.status < 500;
  ctx.status = error.status;
  ctx.type = PROBLEM_TYPE;
  ctx.body = {
    type: `/problems/${error.code}`,
    title: error.title,
    status: error.status,
    detail: exposed ? error.detail : 'Something went wrong on our side; quote the instance id.',
    code: error.code,
    instance: `urn:evbook:request:${ctx.state.requestId}`,
    ...(error.errors && error.errors.length > 0 ? { errors: error.errors } : {}),
    ...(exposed && error.extra ? error.extra : {}),
  };
  if (error instanceof AuthError) {
    const hasToken = Boolean(ctx.get('authorization'));
    ctx.set(
      'WWW-Authenticate',
      hasToken
        ? `Bearer realm="evbook", error="invalid_token", error_description="${headerSafe(error.detail)}"`
        : 'Bearer realm="evbook"',
    );
  }
  if (error instanceof RateLimitedError) ctx.set('Retry-After', String(error.retryAfterSeconds));
  if (error instanceof UnavailableError) {
    ctx.set('Retry-After', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
  }
}

/** RFC 6750 §3: `error_description` may hold neither `"` nor `\\` nor non-ASCII. */
function headerSafe(text: string): string {
  return text.replace(/["\\]/g, "'").replace(/[^\x20-\x7e]/g, '?');
}

class AppErrorNotFoundRoute extends AppError {
  readonly status = 404;
  readonly exitCode = 66;
  readonly title = 'Not found';
  constructor() {
    super('not_found', 'No such resource.');
  }
}

class MethodNotAllowedError extends AppError {
  readonly status = 405;
  readonly exitCode = 64;
  readonly title = 'Method not allowed';
}

/** Errors from Koa, the router and the body parser, mapped onto our tree. */
function toAppError(thrown: unknown): AppError {
  if (isAppError(thrown)) return thrown;
  const http = thrown as { status?: number; statusCode?: number; type?: string; expose?: boolean };
  const status = http?.status ?? http?.statusCode;
  if (status === 413 || http?.type === 'entity.too.large') {
    return new PayloadTooLargeError('payload_too_large', 'The request body is too large.');
  }
  // co-body throws a bare SyntaxError with status 400 (no `type`) for unparseable JSON.
  if (http?.type === 'entity.parse.failed' || (thrown instanceof SyntaxError && status === 400)) {
    return new UsageError('invalid_json', 'The request body is not valid JSON.');
  }
  if (
    status === 415 ||
    http?.type === 'encoding.unsupported' ||
    http?.type === 'charset.unsupported'
  ) {
    return new UnsupportedMediaTypeError('unsupported_media_type', 'Send the body as UTF-8 JSON.');
  }
  if (status === 405)
    return new MethodNotAllowedError(
      'method_not_allowed',
      'The resource does not allow this method.',
    );
  if (status === 501)
    return new MethodNotAllowedError('method_not_allowed', 'This method is not supported.');
  if (status !== undefined && status >= 400 && status < 500) {
    return new UsageError('bad_request', 'The request could not be read.');
  }
  if (isConnectionFailure(thrown)) {
    return new UnavailableError('unavailable', 'The database is unreachable; try again shortly.');
  }
  return new InternalError(undefined, thrown);
}
