import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/evbook', import.meta.url));

/** The public URL that `serve` processes of the tests run under (the token issuer). */
export const SERVE_PUBLIC_URL = 'http://evbook.test';

/** A real `evbook serve` child process. */
export interface ServeProcess {
  url: string;
  child: ChildProcess;
  /** What the process wrote to stderr, for failure messages. */
  stderr(): string;
  stop(): Promise<void>;
}

/** A port that was free a moment ago: listen on 0, read the port, close. */
export async function freePort(): Promise<number> {
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

/**
 * Spawns `bin/evbook serve` (the compiled `dist/`, so `npm run build` must have
 * run) on a free port over `databaseUrl`, and waits until `/readyz` answers 200.
 */
export async function spawnServe(
  databaseUrl: string,
  timeoutMs = 30_000,
  options: { migrate?: boolean; env?: Record<string, string> } = {},
): Promise<ServeProcess> {
  if (!existsSync(new URL('../../dist/cli/main.js', import.meta.url))) {
    throw new Error('dist/ is missing: run `npm run build` first (npm test does it).');
  }
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [BIN, 'serve', '--port', String(port), ...(options.migrate ? [] : ['--no-migrate'])],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        EVBOOK_DATABASE_URL: databaseUrl,
        EVBOOK_LOG_LEVEL: 'warn',
        EVBOOK_PUBLIC_URL: SERVE_PUBLIC_URL,
        ...options.env,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-10_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const url = `http://127.0.0.1:${port}`;
  const process_: ServeProcess = {
    url,
    child,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };

  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.status === 200) return process_;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await process_.stop();
  throw new Error(`evbook serve did not become ready on ${url}:\n${stderr}`);
}
