import { bodyParser } from '@koa/bodyparser';
import type Koa from 'koa';
import { UnsupportedMediaTypeError } from '../../shared/errors.js';

/**
 * Reads a JSON body, and only JSON: a body of another type is a 415, malformed JSON
 * a 400 and one over the limit a 413 (mapped by the problem middleware). Applied
 * per route, never in front of the whole app.
 */
export function jsonBody(limitBytes: number): Koa.Middleware {
  const parse = bodyParser({
    enableTypes: ['json'],
    jsonLimit: limitBytes,
    // Any JSON value is well-formed (RFC 8259): `null` or `"x"` must reach the schema
    // and be a 422 `validation_failed`, not a 400 `invalid_json`.
    jsonStrict: false,
    encoding: 'utf-8',
    extendTypes: { json: ['application/json', 'application/*+json'] },
  });
  return async function readJson(ctx, next) {
    const hasBody =
      Number(ctx.get('content-length') || 0) > 0 || ctx.get('transfer-encoding') !== '';
    if (hasBody && !ctx.is('application/json', 'application/*+json')) {
      throw new UnsupportedMediaTypeError(
        'unsupported_media_type',
        'Send the body as JSON with "Content-Type: application/json".',
      );
    }
    // Compressed bodies are refused before anything inflates them: a body that is
    // not what its encoding claims made zlib throw a 500, and a small compressed
    // body can inflate to far more than the size limit allows.
    const encoding = ctx.get('content-encoding').trim().toLowerCase();
    if (hasBody && encoding !== '' && encoding !== 'identity') {
      throw new UnsupportedMediaTypeError(
        'unsupported_media_type',
        'Send the body uncompressed, without "Content-Encoding".',
      );
    }
    if (!hasBody) {
      ctx.request.body = undefined;
      return next();
    }
    return parse(ctx, next);
  };
}
