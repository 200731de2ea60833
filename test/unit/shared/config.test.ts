import { expect } from 'chai';
import { loadConfig } from '../../../src/shared/config.js';
import { ConfigError } from '../../../src/shared/errors.js';

function failure(env: Record<string, string>, overrides = {}): ConfigError {
  try {
    loadConfig(env, overrides);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('uses the documented defaults', () => {
    const config = loadConfig({});
    expect(config).to.deep.include({
      databaseUrl: 'sqlite:./evbook.sqlite',
      redisUrl: undefined,
      host: '127.0.0.1',
      port: 3000,
      publicUrl: 'http://localhost:3000',
      apiUrl: 'http://localhost:3000',
      logLevel: 'info',
      authRateLimit: 10,
      bodyLimitBytes: 1024 * 1024,
      dbTimeoutMs: 5000,
      workerMetricsPort: undefined,
    });
    expect(Object.isFrozen(config)).to.equal(true);
  });

  it('reads EVBOOK_* variables and lets flags win over them', () => {
    const config = loadConfig(
      {
        EVBOOK_PORT: '4000',
        EVBOOK_DATABASE_URL: 'postgres://db/evbook',
        EVBOOK_REDIS_URL: 'redis://r:6379',
      },
      { port: { value: '5000', flag: '--port' } },
    );
    expect(config.port).to.equal(5000);
    expect(config.databaseUrl).to.equal('postgres://db/evbook');
    expect(config.redisUrl).to.equal('redis://r:6379');
    expect(config.publicUrl).to.equal('http://localhost:5000');
  });

  it('reads the database timeout and the worker metrics port', () => {
    const config = loadConfig({ EVBOOK_DB_TIMEOUT_MS: '1500', EVBOOK_WORKER_METRICS_PORT: '9464' });
    expect(config.dbTimeoutMs).to.equal(1500);
    expect(config.workerMetricsPort).to.equal(9464);
  });

  it('drops a trailing slash from URLs', () => {
    const config = loadConfig({
      EVBOOK_PUBLIC_URL: 'https://tickets.example/',
      EVBOOK_API_URL: 'https://api.example/',
    });
    expect(config.publicUrl).to.equal('https://tickets.example');
    expect(config.apiUrl).to.equal('https://api.example');
  });

  const BAD: Array<[string, string, RegExp]> = [
    ['EVBOOK_PORT', 'abc', /^EVBOOK_PORT must be a whole number \(got "abc"\)$/],
    ['EVBOOK_PORT', '70000', /^EVBOOK_PORT must be at most 65535/],
    [
      'EVBOOK_DATABASE_URL',
      'mysql://x',
      /^EVBOOK_DATABASE_URL must be sqlite:PATH or postgres:\/\/\.\.\./,
    ],
    ['EVBOOK_REDIS_URL', 'http://x', /^EVBOOK_REDIS_URL must be a redis:\/\/ URL/],
    ['EVBOOK_PUBLIC_URL', 'not a url', /^EVBOOK_PUBLIC_URL must be an http\(s\) URL/],
    ['EVBOOK_LOG_LEVEL', 'loud', /^EVBOOK_LOG_LEVEL must be one of/],
    ['EVBOOK_AUTH_RATE_LIMIT', '0', /^EVBOOK_AUTH_RATE_LIMIT must be at least 1/],
    ['EVBOOK_DB_TIMEOUT_MS', '50', /^EVBOOK_DB_TIMEOUT_MS must be at least 100 \(got "50"\)$/],
    ['EVBOOK_DB_TIMEOUT_MS', '5s', /^EVBOOK_DB_TIMEOUT_MS must be a whole number/],
    ['EVBOOK_WORKER_METRICS_PORT', '65536', /^EVBOOK_WORKER_METRICS_PORT must be at most 65535/],
  ];
  for (const [name, value, message] of BAD) {
    it(`stops with a one-line message naming ${name}=${value}`, () => {
      const error = failure({ [name]: value });
      expect(error.message).to.match(message);
      expect(error.message).not.to.include('\n');
      expect(error.exitCode).to.equal(78);
    });
  }

  it('names the flag when the bad value came from a flag', () => {
    const error = failure({}, { port: { value: 'x', flag: '--port' } });
    expect(error.message).to.match(/^--port must be a whole number/);
  });
});
