import { Option, type Command } from 'commander';
import { collect, examples, flagsOf } from './shared.js';

const TICKET_HELP =
  'a ticket type NAME:PRICE:QUANTITY[:MAX_PER_BOOKING], price in minor units (repeatable)';

/** Options shared by `events create` and `create-event`. */
function withEventFields(command: Command, required: boolean): Command {
  const suffix = required ? ' (required)' : '';
  return command
    .option('--title <title>', `what the event is called${suffix}`)
    .option('--venue <venue>', `where it takes place${suffix}`)
    .option('--starts <when>', `start, e.g. 2027-05-01T19:00 (local time) or RFC 3339${suffix}`)
    .option('--ends <when>', `end, same format${suffix}`)
    .option('--currency <code>', `ISO 4217 currency of its prices, e.g. EUR${suffix}`)
    .option('--description <text>', 'longer text shown to customers');
}

function registerCreate(command: Command, name: string, example: string): void {
  withEventFields(command.command(name), true)
    .description('create an event, with its ticket types, as a draft (or --publish)')
    .option('--ticket <spec>', TICKET_HELP, collect)
    .option('--publish', 'put it on sale at once instead of creating a draft')
    .addHelpText('after', examples(example))
    .action(async (...args: unknown[]) => {
      const { runCreateEvent } = await import('../commands/create-event.js');
      await runCreateEvent(flagsOf(args));
    });
}

const CREATE_EXAMPLE =
  'evbook create-event --title "Jazz on the Quay" --venue "Harbour Hall" --starts 2027-05-01T19:00 ' +
  '--ends 2027-05-01T23:00 --currency EUR --ticket "General:2500:200" --ticket "VIP:9000:20"';

/** `events ...` and the short `create-event`: organisers manage, customers browse. */
export function registerEventCommands(program: Command): void {
  const events = program
    .command('events')
    .description('browse the catalogue (customers) or manage your events (organisers)')
    .addHelpText('after', examples('evbook events list', 'evbook events show EVENT_ID'));

  events
    .command('list')
    .description('list events: the catalogue for customers, your own events for organisers')
    .option('--search <text>', 'text in the title or description')
    .option('--venue <text>', 'text in the venue')
    .option('--from <when>', 'events starting at or after')
    .option('--to <when>', 'events starting before')
    .addOption(
      new Option('--status <status>', 'organisers: only this status').choices([
        'draft',
        'published',
        'cancelled',
      ]),
    )
    .option('--limit <n>', 'at most this many events', '50')
    .addHelpText(
      'after',
      examples(
        'evbook events list --venue Bristol --from 2027-05-01',
        'evbook events list --json | jq ".[].id"',
      ),
    )
    .action(async (...args: unknown[]) => {
      const { runListEvents } = await import('../commands/list-events.js');
      await runListEvents(flagsOf(args));
    });

  events
    .command('show')
    .description('show one event with its ticket types, prices and availability')
    .argument('<event>', 'event id')
    .addHelpText('after', examples('evbook events show EVENT_ID'))
    .action(async (id: string, ...args: unknown[]) => {
      const { runShowEvent } = await import('../commands/show-event.js');
      await runShowEvent(id, flagsOf(args));
    });

  registerCreate(events, 'create', CREATE_EXAMPLE.replace('create-event', 'events create'));

  withEventFields(events.command('update'), false)
    .description('change an event; ticket holders are notified of title, venue or time changes')
    .argument('<event>', 'event id')
    .addHelpText('after', examples('evbook events update EVENT_ID --venue "Colston Hall, Bristol"'))
    .action(async (id: string, ...args: unknown[]) => {
      const { runUpdateEvent } = await import('../commands/update-event.js');
      await runUpdateEvent(id, flagsOf(args));
    });

  events
    .command('publish')
    .description('put a draft event on sale')
    .argument('<event>', 'event id')
    .addHelpText('after', examples('evbook events publish EVENT_ID'))
    .action(async (id: string, ...args: unknown[]) => {
      const { runPublishEvent } = await import('../commands/publish-event.js');
      await runPublishEvent(id, flagsOf(args));
    });

  events
    .command('cancel')
    .description('call an event off; ticket holders are notified (asks first, or --yes)')
    .argument('<event>', 'event id')
    .addHelpText('after', examples('evbook events cancel EVENT_ID --yes'))
    .action(async (id: string, ...args: unknown[]) => {
      const { runCancelEvent } = await import('../commands/cancel-event.js');
      await runCancelEvent(id, flagsOf(args));
    });

  events
    .command('delete')
    .description('delete an event without bookings (asks first, or --yes)')
    .argument('<event>', 'event id')
    .addHelpText('after', examples('evbook events delete EVENT_ID --yes'))
    .action(async (id: string, ...args: unknown[]) => {
      const { runDeleteEvent } = await import('../commands/delete-event.js');
      await runDeleteEvent(id, flagsOf(args));
    });

  registerCreate(program, 'create-event', CREATE_EXAMPLE);
}
