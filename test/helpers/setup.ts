/**
 * Loaded by mocha before any spec. Under CI a missing PostgreSQL is a failure, not
 * a skip: the suites that need it must really run there.
 */
if (process.env.CI === 'true' && !process.env.EVBOOK_TEST_DATABASE_URL) {
  throw new Error(
    'CI=true but EVBOOK_TEST_DATABASE_URL is not set: the PostgreSQL suites must run in CI.',
  );
}
