/**
 * A very small browser for driving the server-rendered pages over HTTP: fetch
 * with manual redirects, a path-aware cookie jar and form reading. No scripts,
 * like the pages themselves.
 */
export interface Page {
  url: string;
  status: number;
  headers: Headers;
  html: string;
}

interface Cookie {
  value: string;
  path: string;
}

export class TestBrowser {
  private readonly cookies = new Map<string, Cookie>();

  /** GET `url`, following redirects. */
  open(url: string): Promise<Page> {
    return this.navigate(url, 'GET');
  }

  /** Submits the form whose action contains `actionPart` with its fields plus `values`. */
  submit(from: Page, values: Record<string, string> = {}, actionPart = ''): Promise<Page> {
    const form = findForm(from.html, actionPart);
    const action = new URL(values.__action ?? form.action, from.url).href;
    const body = new URLSearchParams({ ...form.fields, ...values });
    body.delete('__action');
    return this.navigate(action, 'POST', body);
  }

  private async navigate(url: string, method: string, body?: URLSearchParams): Promise<Page> {
    let current = url;
    for (let hop = 0; hop < 10; hop++) {
      const response = await fetch(current, {
        method,
        redirect: 'manual',
        headers: {
          cookie: this.cookieHeader(new URL(current).pathname),
          accept: 'text/html',
          ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
        body: method === 'POST' ? body?.toString() : undefined,
      });
      this.store(response.headers.getSetCookie());
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        await response.arrayBuffer();
        current = new URL(location, current).href;
        method = 'GET';
        body = undefined;
        continue;
      }
      return {
        url: current,
        status: response.status,
        headers: response.headers,
        html: await response.text(),
      };
    }
    throw new Error(`too many redirects from ${url}`);
  }

  private cookieHeader(path: string): string {
    return [...this.cookies]
      .filter(
        ([, cookie]) =>
          path === cookie.path ||
          path.startsWith(cookie.path.replace(/\/?$/, '/')) ||
          cookie.path === '/',
      )
      .map(([name, cookie]) => `${name}=${cookie.value}`)
      .join('; ');
  }

  private store(setCookies: string[]): void {
    for (const line of setCookies) {
      const [pair, ...attributes] = line.split(';').map((part) => part.trim());
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      const attr = (key: string) =>
        attributes.find((a) => a.toLowerCase().startsWith(`${key}=`))?.slice(key.length + 1);
      const expires = attr('expires');
      const isExpired = value === '' || (expires !== undefined && Date.parse(expires) < Date.now());
      if (isExpired) this.cookies.delete(name);
      else this.cookies.set(name, { value, path: attr('path') ?? '/' });
    }
  }
}

/** The action and named fields (with their values) of the first matching form. */
export function findForm(
  html: string,
  actionPart = '',
): { action: string; fields: Record<string, string> } {
  const forms = [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)];
  const match = forms.find((f) => attribute(f[1]!, 'action')?.includes(actionPart));
  if (!match) throw new Error(`no form with action containing "${actionPart}" in:\n${html}`);
  const fields: Record<string, string> = {};
  for (const input of match[2]!.matchAll(/<input\b([^>]*)>/g)) {
    const name = attribute(input[1]!, 'name');
    if (name) fields[name] = decode(attribute(input[1]!, 'value') ?? '');
  }
  return { action: decode(attribute(match[1]!, 'action') ?? ''), fields };
}

function attribute(tag: string, name: string): string | undefined {
  return new RegExp(`\\b${name}="([^"]*)"`).exec(tag)?.[1];
}

function decode(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
