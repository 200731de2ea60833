import type { EventPatch } from '../../client/types.js';
import { UsageError } from '../../shared/errors.js';
import { parseInstant } from '../input.js';
import { printJson, printResult } from '../output.js';
import { renderEvent } from '../views/events.js';
import { signedInClient, type ClientFlags } from './client-config.js';

export interface UpdateEventFlags extends ClientFlags {
  title?: string;
  venue?: string;
  starts?: string;
  ends?: string;
  currency?: string;
  description?: string;
}

/** `evbook events update EVENT`: change some fields; ticket holders are notified by the server. */
export async function runUpdateEvent(id: string, flags: UpdateEventFlags): Promise<void> {
  const patch: EventPatch = {
    title: flags.title,
    venue: flags.venue,
    description: flags.description,
    currency: flags.currency?.toUpperCase(),
    starts_at: flags.starts === undefined ? undefined : parseInstant(flags.starts, '--starts'),
    ends_at: flags.ends === undefined ? undefined : parseInstant(flags.ends, '--ends'),
  };
  const changes = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
  if (Object.keys(changes).length === 0) {
    throw new UsageError(
      'missing_flags',
      'Nothing to change: pass at least one of --title, --venue, --starts, --ends, --currency, --description.',
    );
  }

  const event = await signedInClient(flags).updateEvent(id, changes);

  if (flags.json) return printJson(event);
  printResult(`Updated event ${event.id}.\n\n${renderEvent(flags, event)}`);
}
