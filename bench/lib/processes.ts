import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BENCH_PUBLIC_URL = 'http://evbook.bench';

/** A child process and the URL it serves. */
export interface Served {
  url: string;
  child: ChildProcess;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export async function waitFor(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${url} never became ready`);
}

/** Starts `evbook serve` (compiled) on a free port and waits for `/readyz`. */
export async function startServe(
  databaseUrl: string,
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<Served> {
  const port = await freePort();
  const child = spawnEvbook(['serve', '--port', String(port)], databaseUrl, env, nodeArgs);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}/readyz`);
  return { url, child };
}

/**
 * Starts `evbook worker` (compiled) on the given database and Redis. It has no port to
 * poll; the caller waits for it to register with the queue (see `waitForWorkers`).
 */
export function startWorker(
  databaseUrl: string,
  env: Record<string, string>,
  nodeArgs: string[] = [],
): ChildProcess {
  return spawnEvbook(['worker'], databaseUrl, env, nodeArgs);
}

/** `bin/evbook <args>` on `databaseUrl`, logging warnings and worse to our stderr. */
function spawnEvbook(
  args: string[],
  databaseUrl: string,
  env: Record<string, string>,
  nodeArgs: string[],
): ChildProcess {
  return spawn(process.execPath, [...nodeArgs, 'bin/evbook', ...args], {
    cwd: ROOT,
    env: {
      ...process.env,
      EVBOOK_DATABASE_URL: databaseUrl,
      EVBOOK_PUBLIC_URL: BENCH_PUBLIC_URL,
      EVBOOK_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** The baseline: a bare Koa 3 route returning small JSON, in its own process. */
export async function startBareKoa(): Promise<Served> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/lib/bare-koa.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(url);
  return { url, child };
}

export function stop(served: Served | ChildProcess | undefined): Promise<void> {
  const child = served && 'child' in served ? served.child : served;
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Resident set size of a process in MB, from /proc. */
export function rssMb(pid: number): number {
  return statusMb(pid, 'VmRSS');
}

/** The largest resident set size the process has had so far, in MB. */
export function peakRssMb(pid: number): number {
  return statusMb(pid, 'VmHWM');
}

function statusMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return Math.round(kb / 102.4) / 10;
}

const TICKS_PER_SECOND = 100;

/**
 * CPU time (user and system) a process has used, in milliseconds, from
 * `/proc/PID/stat`. Its growth per request is a cost that, unlike requests per
 * second, hardly depends on what else the machine is doing.
 */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) in parentheses.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / TICKS_PER_SECOND;
}
