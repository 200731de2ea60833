import { ValidationError } from '../shared/errors.js';

/**
 * Opaque keyset cursors: the sort key of the last row of a page, encoded so that
 * clients treat it as a token. A cursor that does not decode is a client error.
 */
export function encodeCursor(values: Array<string | number>): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(
  cursor: string,
  shape: Array<'string' | 'number'>,
): Array<string | number> {
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    values = undefined;
  }
  const fits =
    Array.isArray(values) &&
    values.length === shape.length &&
    values.every((value, i) => typeof value === shape[i]);
  if (!fits) {
    throw new ValidationError('The cursor is not one this server issued.', [
      { path: 'cursor', message: 'is not a cursor we issued' },
    ]);
  }
  return values as Array<string | number>;
}
