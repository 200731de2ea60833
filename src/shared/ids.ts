import { randomFillSync } from 'node:crypto';
import { v7 as uuidv7, validate as uuidValidate } from 'uuid';

/**
 * Random bytes drawn 4 KiB at a time: one system call per 256 ids instead of one per
 * id, which showed up in the booking path's profile. Never reused: each id takes its
 * own 16 bytes and the pool is refilled when they run out.
 */
const pool = new Uint8Array(4096);
let taken = pool.length;

function randomBytes16(): Uint8Array {
  if (taken + 16 > pool.length) {
    randomFillSync(pool);
    taken = 0;
  }
  return pool.subarray(taken, (taken += 16));
}

/**
 * New ids are UUIDv7: opaque to clients, unique across processes, and ordered by
 * creation time, which keeps inserts local in the indexes and lets lists page by id.
 */
export function newId(): string {
  const random = randomBytes16();
  const now = Date.now();
  if (now > clock.msecs) {
    // A fresh random start in each millisecond (31 bits, so it can count up).
    clock.seq = ((random[6]! & 0x7f) << 24) | (random[7]! << 16) | (random[8]! << 8) | random[9]!;
    clock.msecs = now;
  } else {
    // Same millisecond (or the clock went back): count on, so ids stay ordered.
    clock.seq = (clock.seq + 1) | 0;
    if (clock.seq === 0) clock.msecs++;
  }
  return uuidv7({ random, msecs: clock.msecs, seq: clock.seq });
}

/** The monotonic state uuid keeps for its own random source, kept here for ours. */
const clock = { msecs: -Infinity, seq: 0 };

/**
 * True when `value` can be an id of ours; anything else cannot exist. Only the
 * lower-case form we issue counts, so both engines agree (PostgreSQL's uuid type
 * would otherwise match an upper-cased id that SQLite's text column does not).
 */
export function isId(value: string): boolean {
  return uuidValidate(value) && value === value.toLowerCase();
}
