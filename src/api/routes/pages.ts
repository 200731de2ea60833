import { z } from 'zod';

/** The documented shape of a list response: `{ data, next_cursor }`. */
export function pageOf(item: z.ZodType) {
  return z.object({ data: z.array(item), next_cursor: z.string().nullable() });
}
