import type { Knex } from '../../db/connection.js';
import { countHit, peekHits } from '../../auth/rate-limit.js';
import { RateLimitedError } from '../../shared/errors.js';

/** Every abuse limit counts per client address in one-minute windows. */
const WINDOW_SECONDS = 60;
/** Count the previous minute too, so a burst cannot restart at a minute boundary. */
const SLIDING = { withPrevious: true } as const;

export const signInBucket = (ip: string) => `sign-in:${ip}`;
/** Failed user-code entries on the device page. */
export const userCodeBucket = (ip: string) => `user-code:${ip}`;
/** Failed token requests (bad refresh tokens or device codes). */
export const tokenBucket = (ip: string) => `token:${ip}`;
export const signUpBucket = (ip: string) => `sign-up:${ip}`;

/** The hits of `bucket` in this minute and the one before. */
export function recentHits(knex: Knex, bucket: string) {
  return peekHits(knex, bucket, WINDOW_SECONDS, SLIDING);
}

/** Throws 429 when `bucket` already holds `limit` hits this minute (counts nothing). */
export async function assertUnderLimit(knex: Knex, bucket: string, limit: number): Promise<void> {
  const { hits, retryAfterSeconds } = await peekHits(knex, bucket, WINDOW_SECONDS, SLIDING);
  if (hits >= limit) throw tooMany(retryAfterSeconds);
}

/** Counts one hit, and throws 429 when it goes over `limit` this minute. */
export async function spend(knex: Knex, bucket: string, limit: number): Promise<void> {
  const { hits, retryAfterSeconds } = await countHit(knex, bucket, WINDOW_SECONDS, SLIDING);
  if (hits > limit) throw tooMany(retryAfterSeconds);
}

/** Records one failure in `bucket`. */
export async function recordFailure(knex: Knex, bucket: string): Promise<void> {
  await countHit(knex, bucket, WINDOW_SECONDS, SLIDING);
}

function tooMany(retryAfterSeconds: number): RateLimitedError {
  return new RateLimitedError(
    `Too many attempts from this address; try again in ${retryAfterSeconds} s.`,
    retryAfterSeconds,
  );
}
