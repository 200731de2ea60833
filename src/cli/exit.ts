import { CommanderError } from 'commander';
import { isAppError } from '../shared/errors.js';
import { printError } from './output.js';

/**
 * Exit codes of the CLI (sysexits.h), one per class of failure; each AppError
 * class carries its own (`src/shared/errors.ts`). Documented in docs/cli.md.
 */
export const EXIT = {
  ok: 0,
  usage: 64,
  validation: 65,
  notFound: 66,
  conflict: 67,
  internal: 70,
  unavailable: 75,
  auth: 77,
  config: 78,
} as const;

/**
 * The CLI's one top-level catch: one line on stderr, no stack trace, and the exit
 * code of the error's class.
 */
export function exitCodeFor(error: unknown, argv: string[] = process.argv): number {
  if (error instanceof CommanderError) {
    // Commander has already printed its message (or the help / version text).
    return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (isAppError(error)) {
    // Errors from the API already name their code; with --json, local ones do too,
    // so that a script can branch on it.
    const named = error.detail.endsWith(`[${error.code}]`);
    printError(
      named || !argv.includes('--json') ? error.detail : `${error.detail} [${error.code}]`,
    );
    return error.exitCode;
  }
  if (error instanceof Error && error.name === 'ExitPromptError') {
    // Ctrl-C or Ctrl-D at an inquirer prompt.
    printError('cancelled; nothing changed.');
    return EXIT.usage;
  }
  const message = error instanceof Error ? error.message : String(error);
  printError(`unexpected failure: ${message.split('\n')[0]}`);
  return EXIT.internal;
}
