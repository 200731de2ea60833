import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The real `bin/evbook` (compiled `dist/`: `npm test` builds it first). */
export const EVBOOK_BIN = fileURLToPath(new URL('../../bin/evbook', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment of a child `evbook`: nothing of the developer's own (no stray
 * EVBOOK_* or credentials), but the coverage directory so c8 still sees the child.
 */
function childEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    EVBOOK_LOG_LEVEL: 'warn',
  };
  if (process.env.NODE_V8_COVERAGE) base.NODE_V8_COVERAGE = process.env.NODE_V8_COVERAGE;
  return { ...base, ...env };
}

/** A running `bin/evbook`, with its output collected as it comes. */
export class CliProcess {
  stdout = '';
  stderr = '';
  readonly done: Promise<CliResult>;
  private readonly child: ChildProcess;

  constructor(args: string[], env: Record<string, string | undefined> = {}, timeoutMs = 60_000) {
    this.child = spawn(process.execPath, [EVBOOK_BIN, ...args], {
      env: childEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    this.child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    this.done = new Promise((resolve, reject) => {
      this.child.on('error', reject);
      this.child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout: this.stdout, stderr: this.stderr });
      });
    });
  }

  /** Resolves with the first match of `pattern` in stderr. */
  async waitForStderr(pattern: RegExp): Promise<RegExpExecArray> {
    for (;;) {
      const match = pattern.exec(this.stderr);
      if (match) return match;
      const exited = await Promise.race([
        this.done.then(() => true),
        new Promise<false>((resolve) => setTimeout(() => resolve(false), 50)),
      ]);
      if (exited && !pattern.exec(this.stderr)) {
        throw new Error(`evbook exited before printing ${pattern}:\n${this.stderr}`);
      }
    }
  }

  kill(): void {
    this.child.kill();
  }
}

/** Runs `evbook ...args` to completion with the given environment additions. */
export function runCli(
  args: string[],
  env: Record<string, string | undefined> = {},
  timeoutMs = 60_000,
): Promise<CliResult> {
  return new CliProcess(args, env, timeoutMs).done;
}
