import type { EventCreate } from '../../client/types.js';
import { UsageError } from '../../shared/errors.js';
import { parseInstant, parseTicketSpec } from '../input.js';
import { printJson, printResult } from '../output.js';
import { renderEvent } from '../views/events.js';
import { canPrompt, signedInClient, type ClientFlags } from './client-config.js';

export interface CreateEventFlags extends ClientFlags {
  title?: string;
  venue?: string;
  starts?: string;
  ends?: string;
  currency?: string;
  description?: string;
  ticket?: string[];
  publish?: boolean;
}

const REQUIRED = ['title', 'venue', 'starts', 'ends', 'currency'] as const;

const QUESTIONS: Record<(typeof REQUIRED)[number], string> = {
  title: 'Title',
  venue: 'Venue',
  starts: 'Starts (e.g. 2027-05-01T19:00, your time zone)',
  ends: 'Ends',
  currency: 'Currency (ISO 4217, e.g. EUR)',
};

/**
 * `evbook events create` and its short form `evbook create-event`: a new event in one
 * request. In a terminal, missing required fields are asked for.
 */
export async function runCreateEvent(flags: CreateEventFlags): Promise<void> {
  const missing = REQUIRED.filter((key) => !flags[key]);
  if (missing.length > 0 && !canPrompt(flags)) {
    throw new UsageError(
      'missing_flags',
      `Missing --${missing.join(', --')} (no terminal to ask).`,
    );
  }
  if (missing.length > 0) {
    const { input } = await import('@inquirer/prompts');
    for (const key of missing)
      flags[key] = await input({ message: QUESTIONS[key], required: true });
  }
  const body: EventCreate = {
    title: flags.title!,
    venue: flags.venue!,
    starts_at: parseInstant(flags.starts!, '--starts'),
    ends_at: parseInstant(flags.ends!, '--ends'),
    currency: flags.currency!.toUpperCase(),
    description: flags.description,
    status: flags.publish ? 'published' : 'draft',
    ticket_types: (flags.ticket ?? []).map(parseTicketSpec),
  };

  const event = await signedInClient(flags).createEvent(body);

  if (flags.json) return printJson(event);
  printResult(`Created ${event.status} event ${event.id}.\n\n${renderEvent(flags, event)}`);
}
