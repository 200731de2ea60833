// Key prefixes of one run on a shared Redis. Needs no configuration, so the benchmark
// uses it too (./redis.js insists on a test Redis under CI).
import { Redis } from 'ioredis';

let counter = 0;

/** A BullMQ prefix no other test uses, so that tests never see each other's jobs. */
export function uniquePrefix(): string {
  return `evbooktest-${process.pid}-${Date.now().toString(36)}-${counter++}`;
}

/** Deletes every key under `prefix`. */
export async function dropPrefix(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
