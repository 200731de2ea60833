import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestApi, TestUser } from './api.js';

/**
 * A config home holding a logged-in session for `user` at `apiUrl`, as `evbook login`
 * would leave it (0600), with a test-signed access token: no browser round trip.
 */
export class CliSession {
  readonly home = mkdtempSync(join(tmpdir(), 'evbook-session-'));

  private constructor(
    readonly apiUrl: string,
    readonly user: TestUser,
  ) {}

  static async for(api: TestApi, user: TestUser, apiUrl = api.url): Promise<CliSession> {
    const session = new CliSession(apiUrl, user);
    const dir = join(session.home, 'evbook');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const stored = { [apiUrl]: { accessToken: user.token, expiresAt: Date.now() + 10 * 60_000 } };
    writeFileSync(join(dir, 'credentials.json'), JSON.stringify(stored), { mode: 0o600 });
    return session;
  }

  /** The environment of a `bin/evbook` run as this user: UTC, English, no colour forced. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      XDG_CONFIG_HOME: this.home,
      EVBOOK_API_URL: this.apiUrl,
      TZ: 'UTC',
      LANG: 'en_GB.UTF-8',
      ...extra,
    };
  }

  remove(): void {
    rmSync(this.home, { recursive: true, force: true });
  }
}
