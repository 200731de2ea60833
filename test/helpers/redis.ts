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

export { dropPrefix, uniquePrefix } from './redis-keys.js';
