import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { exitCodeFor } from './exit.js';
import { registerAdminCommands } from './program/admin.js';
import { registerAuthCommands } from './program/auth.js';
import { registerBookingCommands } from './program/bookings.js';
import { registerEventCommands } from './program/events.js';
import { registerTicketTypeCommands } from './program/ticket-types.js';

// Only commander is loaded up front: each action imports what it needs, so that
// `evbook --help` and client commands never pay for the server stack, chalk or tables.
const { version } = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
) as { version: string };

export function buildProgram(): Command {
  const program = new Command('evbook')
    .description('Event booking: publish events, sell tickets, tell ticket holders what changed.')
    .version(version, '-v, --version')
    .option('--api-url <url>', 'the evbook API (EVBOOK_API_URL, default http://localhost:3000)')
    .option('--json', 'print the API objects as JSON on stdout, nothing else (implies --no-color)')
    .option('--no-color', 'no colours (also when NO_COLOR is set or stdout is not a terminal)')
    .option('-y, --yes', 'never prompt: take confirmations as given, fail on missing input')
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError('(run "evbook --help" for usage)')
    .addHelpText(
      'after',
      '\nExit codes: 64 usage, 65 validation, 66 not found, 67 conflict, 70 internal,\n' +
        '75 server unreachable, 77 not logged in or not allowed, 78 bad configuration.\n' +
        'Docs: docs/cli.md',
    )
    .exitOverride();

  registerAuthCommands(program);
  registerEventCommands(program);
  registerTicketTypeCommands(program);
  registerBookingCommands(program);
  registerAdminCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (error) {
    return exitCodeFor(error);
  }
}

// `evbook ... | head` closes the pipe early: stop quietly instead of crashing on EPIPE.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const code = await main(process.argv);
if (code !== 0) process.exitCode = code;
