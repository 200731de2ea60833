import { Command, Option } from 'commander';
import { examples, flagsOf } from './shared.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const DATABASE_URL_HELP = 'sqlite:PATH or postgres://... (EVBOOK_DATABASE_URL)';

/**
 * serve, migrate, seed: they open the database, so their modules (and the server
 * stack) are imported only when one of them runs.
 */
export function registerAdminCommands(program: Command): void {
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
      const { runServe } = await import('../admin/serve.js');
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
      const { runMigrate } = await import('../admin/migrate.js');
      await runMigrate(action, flagsOf(args));
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
      const { runSeed } = await import('../admin/seed.js');
      await runSeed(flagsOf(args));
    });
}
