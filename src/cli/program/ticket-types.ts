import type { Command } from 'commander';
import { examples, flagsOf } from './shared.js';

function withTicketFields(command: Command): Command {
  return command
    .option('--name <name>', 'unique within the event')
    .option('--price <minor>', 'price in minor units of the event currency (2500 is 25.00)')
    .option('--quantity <n>', 'capacity')
    .option('--max-per-booking <n>', 'most tickets of this type in one booking (default 10)')
    .option('--description <text>', 'what this ticket gives')
    .option('--sales-start <when>', 'sales open at (default: at once)')
    .option('--sales-end <when>', 'sales close at (default: when the event starts)');
}

/** `ticket-types add|update|remove`: an organiser's ticket types of one event. */
export function registerTicketTypeCommands(program: Command): void {
  const types = program
    .command('ticket-types')
    .description("manage an event's ticket types (organisers)")
    .addHelpText(
      'after',
      examples('evbook ticket-types add EVENT_ID --name VIP --price 9000 --quantity 20'),
    );

  withTicketFields(types.command('add'))
    .description('add a ticket type to an event')
    .argument('<event>', 'event id')
    .addHelpText(
      'after',
      examples('evbook ticket-types add EVENT_ID --name Student --price 1500 --quantity 50'),
    )
    .action(async (event: string, ...args: unknown[]) => {
      const { runAddTicketType } = await import('../commands/add-ticket-type.js');
      await runAddTicketType(event, flagsOf(args));
    });

  withTicketFields(types.command('update'))
    .description('change a ticket type; capacity cannot drop below what is sold')
    .argument('<event>', 'event id')
    .argument('<type>', 'ticket type name or id')
    .addHelpText('after', examples('evbook ticket-types update EVENT_ID General --quantity 250'))
    .action(async (event: string, type: string, ...args: unknown[]) => {
      const { runUpdateTicketType } = await import('../commands/update-ticket-type.js');
      await runUpdateTicketType(event, type, flagsOf(args));
    });

  types
    .command('remove')
    .description('remove a ticket type nobody has booked (asks first, or --yes)')
    .argument('<event>', 'event id')
    .argument('<type>', 'ticket type name or id')
    .addHelpText('after', examples('evbook ticket-types remove EVENT_ID Student --yes'))
    .action(async (event: string, type: string, ...args: unknown[]) => {
      const { runRemoveTicketType } = await import('../commands/remove-ticket-type.js');
      await runRemoveTicketType(event, type, flagsOf(args));
    });
}
