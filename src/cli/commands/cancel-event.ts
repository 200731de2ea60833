import { confirmOrYes } from '../input.js';
import { printJson, printResult } from '../output.js';
import { signedInClient, type ClientFlags } from './client-config.js';

/** `evbook events cancel EVENT`: the event will not take place; ticket holders are told. */
export async function runCancelEvent(id: string, flags: ClientFlags): Promise<void> {
  const client = signedInClient(flags);
  await confirmOrYes(flags, `Cancel event ${id} and notify its ticket holders?`);
  const event = await client.updateEvent(id, { status: 'cancelled' });
  if (flags.json) return printJson(event);
  printResult(`Cancelled "${event.title}" (${event.id}); ticket holders will be notified.`);
}
