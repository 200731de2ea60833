import { Option, type Command } from 'commander';
import { examples, flagsOf } from './shared.js';

/** signup, login, logout, whoami, api-clients: who you are to the API. */
export function registerAuthCommands(program: Command): void {
  program
    .command('signup')
    .description('create an account (asks for missing fields when run in a terminal)')
    .option('--email <email>', 'your email address')
    .option('--name <name>', 'your name')
    .addOption(new Option('--role <role>', 'what you will do').choices(['organiser', 'customer']))
    .option('--password <password>', 'at least 8 characters (prompted for when omitted)')
    .addHelpText(
      'after',
      examples('evbook signup --email ada@example.com --name "Ada L" --role customer'),
    )
    .action(async (...args: unknown[]) => {
      const { runSignup } = await import('../commands/signup.js');
      await runSignup(flagsOf(args));
    });

  program
    .command('login')
    .description('log in through your browser (OAuth 2.0 device flow)')
    .option('--no-browser', 'do not try to open a browser')
    .addHelpText(
      'after',
      examples('evbook login', 'evbook --api-url https://tickets.example.com login'),
    )
    .action(async (...args: unknown[]) => {
      const { runLogin } = await import('../commands/login.js');
      await runLogin(flagsOf(args));
    });

  program
    .command('logout')
    .description('end the session: revoke its tokens and forget them')
    .addHelpText('after', examples('evbook logout'))
    .action(async (...args: unknown[]) => {
      const { runLogout } = await import('../commands/logout.js');
      await runLogout(flagsOf(args));
    });

  program
    .command('whoami')
    .description('show who you are logged in as')
    .addHelpText('after', examples('evbook whoami', 'evbook whoami --json'))
    .action(async (...args: unknown[]) => {
      const { runWhoami } = await import('../commands/whoami.js');
      await runWhoami(flagsOf(args));
    });

  const apiClients = program
    .command('api-clients')
    .description('credentials for scripts and CI (use EVBOOK_CLIENT_ID / EVBOOK_CLIENT_SECRET)')
    .addHelpText(
      'after',
      examples(
        'evbook api-clients create --name ci',
        'EVBOOK_CLIENT_ID=... EVBOOK_CLIENT_SECRET=... evbook events list',
      ),
    );
  apiClients
    .command('create')
    .description('create an API client that acts as you; prints its secret once')
    .requiredOption('--name <name>', 'what it is for, e.g. ci')
    .addHelpText('after', examples('evbook api-clients create --name ci'))
    .action(async (...args: unknown[]) => {
      const { runApiClientsCreate } = await import('../commands/api-clients.js');
      await runApiClientsCreate(flagsOf(args));
    });
  apiClients
    .command('list')
    .description('list your API clients')
    .addHelpText('after', examples('evbook api-clients list'))
    .action(async (...args: unknown[]) => {
      const { runApiClientsList } = await import('../commands/api-clients.js');
      await runApiClientsList(flagsOf(args));
    });
  apiClients
    .command('revoke')
    .description('revoke an API client')
    .argument('<client-id>', 'as printed by create or list')
    .addHelpText('after', examples('evbook api-clients revoke 3f1c...'))
    .action(async (clientId: string, ...args: unknown[]) => {
      const { runApiClientsRevoke } = await import('../commands/api-clients.js');
      await runApiClientsRevoke(clientId, flagsOf(args));
    });
}
