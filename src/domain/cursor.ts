import { isId } from '../shared/ids.js';
import { ValidationError } from '../shared/errors.js';

/**
 * What one position of a cursor holds: `id` is one of our ids and `time` epoch
 * milliseconds of a valid Date. Both are checked before they reach SQL, because a
 * forged cursor with any other string or number would make PostgreSQL fail
 * (`invalid input syntax for type uuid`, an invalid timestamp) with a 500.
 */
export type CursorPart = 'string' | 'number' | 'id' | 'time';

/**
 * Opaque keyset cursors: the sort key of the last row of a page, encoded so that
 * clients treat it as a token. A cursor that does not decode is a client error.
 */
export function encodeCursor(values: Array<string | number>): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string, shape: CursorPart[]): Array<string | number> {
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    values = undefined;
  }
  const fits =
    Array.isArray(values) &&
    values.length === shape.length &&
    values.every((value, i) => fitsPart(value, shape[i]!));
  if (!fits) {
    throw new ValidationError('The cursor is not one this server issued.', [
      { path: 'cursor', message: 'is not a cursor we issued' },
    ]);
  }
  return values as Array<string | number>;
}

/** The years 0000 to 9999 of RFC 3339, which both engines store. */
const MIN_TIME = Date.parse('0000-01-01T00:00:00.000Z');
const MAX_TIME = Date.parse('9999-12-31T23:59:59.999Z');

function fitsPart(value: unknown, part: CursorPart): boolean {
  switch (part) {
    case 'id':
      return typeof value === 'string' && isId(value);
    case 'time':
      return (
        Number.isSafeInteger(value) &&
        (value as number) >= MIN_TIME &&
        (value as number) <= MAX_TIME
      );
    default:
      return typeof value === part;
  }
}
