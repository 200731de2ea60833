import type { Knex } from '../db/connection.js';
import { toInt } from '../db/sql.js';

const TABLE = 'rate_limits';

export interface WindowCount {
  /**
   * Hits in the current window (including this one when counted), plus the previous
   * window's when `withPrevious`: then a burst cannot start afresh just because a
   * window boundary passed, at the cost of a limit that spans up to two windows.
   */
  hits: number;
  /** Seconds until the window ends. */
  retryAfterSeconds: number;
}

function windowOf(windowSeconds: number, now: number) {
  const size = windowSeconds * 1000;
  const start = Math.floor(now / size) * size;
  return { start, end: start + size };
}

/**
 * Counts one hit in `bucket`'s current fixed window, in the database so that all
 * `serve` processes share the count, and returns the total so far.
 */
export async function countHit(
  knex: Knex,
  bucket: string,
  windowSeconds: number,
  { withPrevious = false, now = Date.now() } = {},
): Promise<WindowCount> {
  const { start, end } = windowOf(windowSeconds, now);
  const rows = await knex(TABLE)
    .insert({ bucket, window_start: start, hits: 1, expires_at: new Date(end) })
    .onConflict(['bucket', 'window_start'])
    .merge({ hits: knex.raw('?? + 1', [`${TABLE}.hits`]) })
    .returning('hits');
  let hits = toInt((rows[0] as { hits: unknown } | undefined)?.hits ?? 1);
  if (withPrevious) hits += await hitsAt(knex, bucket, start - windowSeconds * 1000);
  return { hits, retryAfterSeconds: Math.max(1, Math.ceil((end - now) / 1000)) };
}

/** The hits already counted in `bucket`'s current window, without adding one. */
export async function peekHits(
  knex: Knex,
  bucket: string,
  windowSeconds: number,
  { withPrevious = false, now = Date.now() } = {},
): Promise<WindowCount> {
  const { start, end } = windowOf(windowSeconds, now);
  let hits = await hitsAt(knex, bucket, start);
  if (withPrevious) hits += await hitsAt(knex, bucket, start - windowSeconds * 1000);
  return {
    hits,
    retryAfterSeconds: Math.max(1, Math.ceil((end - now) / 1000)),
  };
}

async function hitsAt(knex: Knex, bucket: string, windowStart: number): Promise<number> {
  const row = await knex(TABLE).where({ bucket, window_start: windowStart }).first('hits');
  return toInt(row?.hits ?? 0);
}

/** Deletes windows that ended over an hour ago; returns how many. */
export async function sweepRateLimits(knex: Knex, now = new Date()): Promise<number> {
  return knex(TABLE)
    .where('expires_at', '<', new Date(now.getTime() - 60 * 60 * 1000))
    .delete();
}
