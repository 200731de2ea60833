import type { Command } from 'commander';

/**
 * The options of a command merged with the global ones (`--api-url`, `--json`,
 * `--no-color`, `--yes`), which commander parses wherever they appear.
 */
export function flagsOf<T = Record<string, unknown>>(args: unknown[]): T {
  return (args.at(-1) as Command).optsWithGlobals() as T;
}

/** The "Examples:" block at the end of a command's help. */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}`;
}

/** Repeatable option: collects every value. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
