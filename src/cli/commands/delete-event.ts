import { confirmOrYes } from '../input.js';
import { printJson, printResult } from '../output.js';
import { signedInClient, type ClientFlags } from './client-config.js';

/** `evbook events delete EVENT`: remove an event nobody has booked (else cancel it). */
export async function runDeleteEvent(id: string, flags: ClientFlags): Promise<void> {
  const client = signedInClient(flags);
  await confirmOrYes(flags, `Delete event ${id} for good?`);
  await client.deleteEvent(id);
  // The API answers 204 with no body; --json still prints one document.
  if (flags.json) return printJson({ id, deleted: true });
  printResult(`Deleted event ${id}.`);
}
