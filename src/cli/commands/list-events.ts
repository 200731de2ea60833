import { collectPages } from '../../client/api-client.js';
import type { EventListQuery, EventStatus } from '../../client/types.js';
import { parseInstant, parseWhole } from '../input.js';
import { printJson, printResult } from '../output.js';
import { renderEventList } from '../views/events.js';
import { signedInClient, type ClientFlags } from './client-config.js';

export interface ListEventsFlags extends ClientFlags {
  search?: string;
  venue?: string;
  from?: string;
  to?: string;
  status?: EventStatus;
  limit?: string;
}

/** `evbook events list`: the catalogue (customers) or your own events (organisers). */
export async function runListEvents(flags: ListEventsFlags): Promise<void> {
  const client = signedInClient(flags);
  const query: EventListQuery = {
    q: flags.search,
    venue: flags.venue,
    from: flags.from === undefined ? undefined : parseInstant(flags.from, '--from'),
    to: flags.to === undefined ? undefined : parseInstant(flags.to, '--to'),
    status: flags.status,
  };
  const max = parseWhole(flags.limit ?? '50', '--limit', 1);

  const events = await collectPages(
    (cursor, limit) => client.listEvents({ ...query, cursor, limit }),
    max,
  );

  if (flags.json) return printJson(events);
  printResult(renderEventList(flags, events));
}
