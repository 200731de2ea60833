/**
 * The only place that writes to the terminal: results on stdout, diagnostics on
 * stderr, so that `evbook ... | jq` and scripts see clean output.
 */
export function printResult(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printError(text: string): void {
  process.stderr.write(`evbook: ${text}\n`);
}

/** Instructions for the person at the terminal (stderr, so stdout stays data). */
export function printNotice(text: string): void {
  process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
}

/**
 * A one-line progress counter on stderr, redrawn in place, for long fetches. Only
 * in a terminal: pipes and logs get nothing extra. `done()` erases it.
 */
export function progressLine(enabled = Boolean(process.stderr.isTTY)): {
  update(text: string): void;
  done(): void;
} {
  let shown = false;
  return {
    update(text) {
      if (!enabled) return;
      process.stderr.write(`\r\u001b[2K${text}`);
      shown = true;
    },
    done() {
      if (shown) process.stderr.write('\r\u001b[2K');
      shown = false;
    },
  };
}
