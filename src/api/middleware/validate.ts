import type { z } from 'zod';
import { ValidationError, type FieldError } from '../../shared/errors.js';

/** Parses `value` with `schema`, or throws a 422 listing every problem by path. */
export function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, where: 'body' | 'query'): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const errors: FieldError[] = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
  const first = errors[0];
  const detail = first
    ? `${first.path || where} ${first.message}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}.`
    : `The ${where} is not valid.`;
  throw new ValidationError(detail, errors);
}
