import { Redis } from 'ioredis';

/** The Redis the queue suites use; they are pending without it (failing under CI). */
export const testRedisUrl = process.env.EVBOOK_TEST_REDIS_URL;

if (process.env.CI === 'true' && !testRedisUrl) {
  throw new Error('CI=true but EVBOOK_TEST_REDIS_URL is not set: the Redis suites must run in CI.');
}

/** Declares `body` only when a test Redis is configured; otherwise one pending test says so. */
export function describeWithRedis(title: string, body: (redisUrl: string) => void): void {
  if (testRedisUrl) {
    describe(title, () => body(testRedisUrl));
  } else {
    describe(title, () => {
      it('was NOT run: set EVBOOK_TEST_REDIS_URL=redis://... to run it');
    });
  }
}

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
