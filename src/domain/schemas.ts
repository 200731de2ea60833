import { z } from 'zod';

/**
 * Building blocks shared by the request schemas of every area. The same schemas
 * validate requests and produce the OpenAPI document, so they carry the docs.
 */

/** An RFC 3339 timestamp with a zone (`Z` or an offset), read as a Date. */
export const timestamp = z.iso
  .datetime({ offset: true, error: 'must be an RFC 3339 timestamp with a time zone' })
  .transform((value) => new Date(value))
  .meta({ example: '2027-05-01T18:00:00Z' });

/** An opaque id as clients send it; one we never issued simply does not exist. */
export const opaqueId = z
  .string({ error: 'must be a string id' })
  .min(1, { error: 'must not be empty' })
  .max(100, { error: 'is too long' });

/**
 * Text both engines can store: PostgreSQL refuses NUL in text (a 500 if it gets
 * there) and lone surrogates are not Unicode text at all.
 */
const LONE_SURROGATE = /\p{Cs}/u; // `u` mode pairs the valid surrogates; what is left is lone
const isStorableText = (text: string) => !text.includes('\u0000') && !LONE_SURROGATE.test(text);
const STORABLE_TEXT = { error: 'must be Unicode text without NUL characters' };

/** Free text that must say something: trimmed, not blank, bounded. */
export const label = (max: number) =>
  z
    .string({ error: 'must be a string' })
    .trim()
    .min(1, { error: 'must not be blank' })
    .max(max, { error: `must be at most ${max} characters` })
    .refine(isStorableText, STORABLE_TEXT);

export const longText = (max: number) =>
  z
    .string({ error: 'must be a string' })
    .max(max, { error: `must be at most ${max} characters` })
    .refine(isStorableText, STORABLE_TEXT);

export const wholeNumber = (min: number, max: number) =>
  z
    .int({ error: 'must be a whole number' })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

/** An ISO 4217 code this runtime knows, upper case. */
export const currency = z
  .string({ error: 'must be an ISO 4217 currency code' })
  .regex(/^[A-Z]{3}$/, { error: 'must be a three-letter ISO 4217 code in upper case' })
  .refine((code) => CURRENCIES.has(code), { error: 'is not an ISO 4217 currency code' })
  .meta({ example: 'EUR' });

/** `?limit=` and `?cursor=` of every list. */
export const pageQuery = {
  limit: z.coerce
    .number({ error: 'must be a whole number' })
    .int({ error: 'must be a whole number' })
    .min(1, { error: 'must be at least 1' })
    .max(100, { error: 'must be at most 100' })
    .default(20)
    .meta({ description: 'Page size, 1 to 100.' }),
  cursor: z
    .string()
    .max(500, { error: 'is not a cursor we issued' })
    .optional()
    .meta({ description: 'The `next_cursor` of the previous page.' }),
};

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}
