import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { exitCodeFor } from './exit.js';
import { registerAuthCommands } from './program/auth.js';
import { registerBookingCommands } from './program/bookings.js';
import { registerEventCommands } from './program/events.js';
import { examples, flagsOf } from './program/shared.js';
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

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const DATABASE_URL_HELP = 'sqlite:PATH or postgres://... (EVBOOK_DATABASE_URL)';

/**
 * serve, migrate, worker, notifications, verify, rotate-keys, seed: they open the database, so their modules (and the server
 * stack) are imported only here, with `await import()`, when one of them runs.
 */
function registerAdminCommands(program: Command): void {
  program
    .command('serve')
    .description('run the HTTP API (applies pending migrations first)')
    .option('--host <host>', 'interface to listen on (EVBOOK_HOST, default 127.0.0.1)')
    .option('--port <port>', 'port to listen on (EVBOOK_PORT, default 3000)')
    .option('--database-url <url>', DATABASE_URL_HELP)
    .option('--public-url <url>', 'issuer and base of links (EVBOOK_PUBLIC_URL)')
    .addOption(
      new Option('--log-level <level>', 'pino level (EVBOOK_LOG_LEVEL)').choices(LOG_LEVELS),
    )
    .option('--no-migrate', 'do not apply pending migrations at start')
    .addHelpText(
      'after',
      examples('EVBOOK_DATABASE_URL=postgres://localhost/evbook evbook serve --port 8080'),
    )
    .action(async (...args: unknown[]) => {
      const { runServe } = await import('./admin/serve.js');
      await runServe(flagsOf(args));
    });

  program
    .command('migrate')
    .description('apply, revert or list database migrations')
    .addArgument(
      new Command()
        .createArgument('[action]', 'latest, rollback or status')
        .choices(['latest', 'rollback', 'status'])
        .default('latest'),
    )
    .option('--database-url <url>', DATABASE_URL_HELP)
    .option('--all', 'with rollback: revert every migration, not just the last batch')
    .addHelpText(
      'after',
      examples('evbook migrate', 'evbook migrate status', 'evbook migrate rollback'),
    )
    .action(async (action: 'latest' | 'rollback' | 'status', ...args: unknown[]) => {
      const { runMigrate } = await import('./admin/migrate.js');
      await runMigrate(action, flagsOf(args));
    });

  program
    .command('worker')
    .description('process notification jobs from Redis (needs EVBOOK_REDIS_URL)')
    .option('--concurrency <n>', 'jobs processed at once (default 10)')
    .option('--database-url <url>', DATABASE_URL_HELP)
    .option(
      '--metrics-port <port>',
      'serve Prometheus /metrics on this port (EVBOOK_WORKER_METRICS_PORT, default off)',
    )
    .option('--host <host>', 'interface of /metrics (EVBOOK_HOST, default 127.0.0.1)')
    .addHelpText(
      'after',
      examples(
        'EVBOOK_REDIS_URL=redis://localhost:6379 evbook worker --concurrency 20',
        'EVBOOK_REDIS_URL=redis://localhost:6379 evbook worker --metrics-port 9464',
      ),
    )
    .action(async (...args: unknown[]) => {
      const { runWorker } = await import('./admin/worker.js');
      await runWorker(flagsOf(args));
    });

  program
    .command('notifications')
    .description('list pending, failed and recently sent notifications')
    .option('--retry', 're-queue every failed notification')
    .option('--limit <n>', 'rows per list (default 20)')
    .option('--database-url <url>', DATABASE_URL_HELP)
    .addHelpText('after', examples('evbook notifications', 'evbook notifications --retry'))
    .action(async (...args: unknown[]) => {
      const { runNotifications } = await import('./admin/notifications.js');
      await runNotifications(flagsOf(args));
    });

  program
    .command('verify')
    .description('check that every sold count matches the confirmed bookings (exit 67 if not)')
    .option('--database-url <url>', DATABASE_URL_HELP)
    .addHelpText('after', examples('EVBOOK_DATABASE_URL=postgres://localhost/evbook evbook verify'))
    .action(async (...args: unknown[]) => {
      const { runVerify } = await import('./admin/verify.js');
      await runVerify(flagsOf(args));
    });

  program
    .command('rotate-keys')
    .description('add a new token-signing key (old ones keep verifying); restart serve after')
    .option('--database-url <url>', DATABASE_URL_HELP)
    .option('--cookie-key', 'also add a new secret for the sign-in cookies')
    .addHelpText('after', examples('evbook rotate-keys', 'evbook rotate-keys --cookie-key'))
    .action(async (...args: unknown[]) => {
      const { runRotateKeys } = await import('./admin/rotate-keys.js');
      await runRotateKeys(flagsOf(args));
    });

  program
    .command('seed')
    .description(
      'fill the database with demo organisers, customers, events and bookings (idempotent)',
    )
    .option('--database-url <url>', DATABASE_URL_HELP)
    .option('--organisers <n>', 'demo organisers', '2')
    .option('--customers <n>', 'demo customers', '5')
    .option('--events <n>', 'events per organiser', '3')
    .option('--bookings <n>', 'bookings per customer', '2')
    .option('--password <password>', 'password of every demo account', 'demo-password')
    .addHelpText(
      'after',
      examples(
        'evbook seed',
        'evbook seed --organisers 5 --customers 200 --events 10 --bookings 3',
      ),
    )
    .action(async (...args: unknown[]) => {
      const { runSeed } = await import('./admin/seed.js');
      await runSeed(flagsOf(args));
    });
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
