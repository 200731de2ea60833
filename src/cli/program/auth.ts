import { Option, type Command } from 'commander';
import { examples, flagsOf } from './shared.js';

/** signup, login, logout, whoami: who you are to the API. */
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
}
