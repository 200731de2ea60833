import { v7 as uuidv7, validate as uuidValidate } from 'uuid';

/**
 * New ids are UUIDv7: opaque to clients, unique across processes, and ordered by
 * creation time, which keeps inserts local in the indexes and lets lists page by id.
 */
export function newId(): string {
  return uuidv7();
}

/**
 * True when `value` can be an id of ours; anything else cannot exist. Only the
 * lower-case form we issue counts, so both engines agree (PostgreSQL's uuid type
 * would otherwise match an upper-cased id that SQLite's text column does not).
 */
export function isId(value: string): boolean {
  return uuidValidate(value) && value === value.toLowerCase();
}
