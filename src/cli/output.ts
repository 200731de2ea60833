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
