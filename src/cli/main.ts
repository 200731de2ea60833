import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { exitCodeFor } from './exit.js';

// Only commander is loaded up front: each action imports what it needs, so that
// `evbook --help` and client commands never pay for the server stack.
const { version } = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
) as { version: string };

export function buildProgram(): Command {
  const program = new Command('evbook')
    .description('Event booking: publish events, sell tickets, tell ticket holders what changed.')
    .version(version, '-v, --version')
    .showHelpAfterError('(run "evbook --help" for usage)')
    .exitOverride();

  program
    .command('serve')
    .description('run the HTTP API (applies pending migrations first)')
    .option('--host <host>', 'interface to listen on (EVBOOK_HOST, default 127.0.0.1)')
    .option('--port <port>', 'port to listen on (EVBOOK_PORT, default 3000)')
    .option('--database-url <url>', 'sqlite:PATH or postgres://... (EVBOOK_DATABASE_URL)')
    .option('--public-url <url>', 'issuer and base of links (EVBOOK_PUBLIC_URL)')
    .addOption(
      new Option('--log-level <level>', 'pino level (EVBOOK_LOG_LEVEL)').choices([
        'fatal',
        'error',
        'warn',
        'info',
        'debug',
        'trace',
        'silent',
      ]),
    )
    .option('--no-migrate', 'do not apply pending migrations at start')
    .addHelpText(
      'after',
      '\nExample:\n  EVBOOK_DATABASE_URL=postgres://localhost/evbook evbook serve --port 8080',
    )
    .action(async (options) => {
      const { runServe } = await import('./admin/serve.js');
      await runServe(options);
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
    .option('--database-url <url>', 'sqlite:PATH or postgres://... (EVBOOK_DATABASE_URL)')
    .option('--all', 'with rollback: revert every migration, not just the last batch')
    .addHelpText(
      'after',
      '\nExamples:\n  evbook migrate\n  evbook migrate status\n  evbook migrate rollback',
    )
    .action(async (action: 'latest' | 'rollback' | 'status', options) => {
      const { runMigrate } = await import('./admin/migrate.js');
      await runMigrate(action, options);
    });

  program
    .command('worker')
    .description('process notification jobs from Redis (needs EVBOOK_REDIS_URL)')
    .option('--concurrency <n>', 'jobs processed at once (default 10)')
    .option('--database-url <url>', 'sqlite:PATH or postgres://... (EVBOOK_DATABASE_URL)')
    .addHelpText(
      'after',
      '\nExample:\n  EVBOOK_REDIS_URL=redis://localhost:6379 evbook worker --concurrency 20',
    )
    .action(async (options) => {
      const { runWorker } = await import('./admin/worker.js');
      await runWorker(options);
    });

  program
    .command('notifications')
    .description('list pending, failed and recently sent notifications')
    .option('--retry', 're-queue every failed notification')
    .option('--limit <n>', 'rows per list (default 20)')
    .option('--json', 'print JSON')
    .option('--database-url <url>', 'sqlite:PATH or postgres://... (EVBOOK_DATABASE_URL)')
    .addHelpText('after', '\nExamples:\n  evbook notifications\n  evbook notifications --retry')
    .action(async (options) => {
      const { runNotifications } = await import('./admin/notifications.js');
      await runNotifications(options);
    });

  program
    .command('verify')
    .description('check that every sold count matches the confirmed bookings (exit 65 if not)')
    .option('--database-url <url>', 'sqlite:PATH or postgres://... (EVBOOK_DATABASE_URL)')
    .option('--json', 'print the drift as JSON')
    .addHelpText(
      'after',
      '\nExample:\n  EVBOOK_DATABASE_URL=postgres://localhost/evbook evbook verify',
    )
    .action(async (options) => {
      const { runVerify } = await import('./admin/verify.js');
      await runVerify(options);
    });

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

const code = await main(process.argv);
if (code !== 0) process.exitCode = code;
