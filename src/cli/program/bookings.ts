import { Option, type Command } from 'commander';
import { collect, examples, flagsOf } from './shared.js';

const STATUSES = ['confirmed', 'cancelled'];

/** `book`, `bookings list|show|cancel` (customers) and `attendees` (organisers). */
export function registerBookingCommands(program: Command): void {
  program
    .command('book')
    .description('book tickets; in a terminal, asks for the event, quantities and confirmation')
    .argument('[event]', 'event id (picked from the catalogue when omitted in a terminal)')
    .option(
      '--ticket <type=n>',
      'ticket type (name or id) and quantity, e.g. General=2 (repeatable)',
      collect,
    )
    .addHelpText(
      'after',
      examples(
        'evbook book EVENT_ID --ticket General=2 --ticket VIP=1',
        'evbook book   # interactive',
      ),
    )
    .action(async (event: string | undefined, ...args: unknown[]) => {
      const { runBook } = await import('../commands/create-booking.js');
      await runBook(event, flagsOf(args));
    });

  const bookings = program
    .command('bookings')
    .description('your bookings (customers)')
    .addHelpText('after', examples('evbook bookings list', 'evbook bookings show BOOKING_ID'));

  bookings
    .command('list')
    .description('list your bookings, newest first')
    .addOption(new Option('--status <status>', 'only bookings in this status').choices(STATUSES))
    .option('--event <event>', 'only bookings of this event')
    .option('--limit <n>', 'at most this many bookings', '50')
    .addHelpText('after', examples('evbook bookings list --status confirmed'))
    .action(async (...args: unknown[]) => {
      const { runListBookings } = await import('../commands/list-bookings.js');
      await runListBookings(flagsOf(args));
    });

  bookings
    .command('show')
    .description('show one of your bookings')
    .argument('<booking>', 'booking id')
    .addHelpText('after', examples('evbook bookings show BOOKING_ID'))
    .action(async (id: string, ...args: unknown[]) => {
      const { runShowBooking } = await import('../commands/show-booking.js');
      await runShowBooking(id, flagsOf(args));
    });

  bookings
    .command('cancel')
    .description('cancel a booking; its tickets go back on sale (asks first, or --yes)')
    .argument('<booking>', 'booking id')
    .addHelpText('after', examples('evbook bookings cancel BOOKING_ID --yes'))
    .action(async (id: string, ...args: unknown[]) => {
      const { runCancelBooking } = await import('../commands/cancel-booking.js');
      await runCancelBooking(id, flagsOf(args));
    });

  program
    .command('attendees')
    .description('list who booked your event (organisers), as a table or CSV')
    .argument('<event>', 'event id')
    .addOption(
      new Option('--format <format>', 'output format').choices(['table', 'csv']).default('table'),
    )
    .addOption(new Option('--status <status>', 'only bookings in this status').choices(STATUSES))
    .addHelpText(
      'after',
      examples(
        'evbook attendees EVENT_ID',
        'evbook attendees EVENT_ID --format csv > attendees.csv',
      ),
    )
    .action(async (event: string, ...args: unknown[]) => {
      const { runListAttendees } = await import('../commands/list-attendees.js');
      await runListAttendees(event, flagsOf(args));
    });
}
