import { createServer } from 'node:net';
import * as oidc from 'openid-client';
import { TestApi } from './api.js';
import { TestBrowser, type Page } from './browser.js';
import type { TestDatabase } from './databases.js';

/**
 * A TestApi whose public URL is its real address, so that the issuer in the
 * metadata is where the client connects (openid-client insists they match).
 */
export async function startOAuthApi(
  database: TestDatabase,
  env: Record<string, string> = {},
): Promise<TestApi> {
  const port = await freePort();
  return TestApi.start(database, {
    EVBOOK_PORT: String(port),
    EVBOOK_PUBLIC_URL: `http://127.0.0.1:${port}`,
    EVBOOK_AUTH_RATE_LIMIT: '1000',
    ...env,
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** openid-client configured as the CLI is: public client `evbook-cli`, discovered via RFC 8414. */
export function discoverCli(api: TestApi): Promise<oidc.Configuration> {
  return oidc.discovery(new URL(api.url), 'evbook-cli', undefined, oidc.None(), {
    execute: [oidc.allowInsecureRequests],
    algorithm: 'oauth2',
  });
}

export interface Account {
  email: string;
  password: string;
  name?: string;
  role?: 'organiser' | 'customer';
}

/**
 * Drives the device-flow pages like a person: opens the complete verification URI,
 * confirms the code, signs in (or signs up first) and allows or denies.
 */
export async function approveInBrowser(
  verificationUri: string,
  account: Account,
  options: { signUp?: boolean; deny?: boolean; browser?: TestBrowser } = {},
): Promise<Page> {
  const browser = options.browser ?? new TestBrowser();
  let page = await confirmUserCode(browser, verificationUri);
  if (page.html.includes('/login"')) {
    if (options.signUp) {
      page = await browser.open(new URL(signUpLink(page.html), page.url).href);
      page = await browser.submit(page, {
        email: account.email,
        password: account.password,
        name: account.name ?? 'Test Person',
        role: account.role ?? 'customer',
      });
    } else {
      page = await browser.submit(page, { email: account.email, password: account.password });
    }
  }
  if (page.status !== 200 || !page.html.includes('/confirm"')) return page;
  const action: Record<string, string> = options.deny ? { __action: denyAction(page.html) } : {};
  return browser.submit(page, action, '/confirm');
}

/**
 * Opens the complete verification URI and confirms its code: the page after that is
 * the sign-in page when the browser has no signed-in session, else the consent page.
 */
export async function confirmUserCode(
  browser: TestBrowser,
  verificationUri: string,
): Promise<Page> {
  const page = await browser.open(verificationUri);
  const confirm = await browser.submit(page, {}, '/oauth/device');
  return browser.submit(confirm, { confirm: 'yes' }, '/oauth/device');
}

function signUpLink(html: string): string {
  return /href="([^"]*\/signup)"/.exec(html)![1]!;
}

function denyAction(html: string): string {
  return /formaction="([^"]*\/deny)"/.exec(html)![1]!;
}
