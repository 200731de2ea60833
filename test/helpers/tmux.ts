import { execFileSync } from 'node:child_process';

/**
 * A program run in a real pseudo-terminal: a detached tmux session on a private
 * socket, driven with send-keys and read with capture-pane.
 */
export class TmuxTerminal {
  private readonly socket = `evbook-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  constructor(command: string, options: { width?: number; height?: number } = {}) {
    this.tmux(
      'new-session',
      '-d',
      '-s',
      'main',
      '-x',
      String(options.width ?? 160),
      '-y',
      String(options.height ?? 40),
      command,
    );
  }

  /** Keys as tmux names them (`Enter`, `Down`) or literal text with `literal`. */
  send(keys: string, literal = false): void {
    this.tmux('send-keys', '-t', 'main', ...(literal ? ['-l', keys] : [keys]));
  }

  screen(): string {
    return this.tmux('capture-pane', '-p', '-t', 'main', '-S', '-100');
  }

  /** Resolves with the screen once it matches `pattern`. */
  async waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = this.screen();
      if (pattern.test(screen)) return screen;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${pattern}; screen:\n${screen}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  close(): void {
    try {
      this.tmux('kill-server');
    } catch {
      // Already gone with its last session.
    }
  }

  private tmux(...args: string[]): string {
    return execFileSync('/usr/bin/tmux', ['-L', this.socket, '-f', '/dev/null', ...args], {
      encoding: 'utf8',
    });
  }
}

/** `'it''s'`-style quoting for a command line tmux hands to /bin/sh. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
