import { printJson, printResult } from '../output.js';
import { signedInClient, type ClientFlags } from './client-config.js';

/** `evbook events publish EVENT`: put a draft on sale (customers can see and book it). */
export async function runPublishEvent(id: string, flags: ClientFlags): Promise<void> {
  const event = await signedInClient(flags).updateEvent(id, { status: 'published' });
  if (flags.json) return printJson(event);
  printResult(`Published "${event.title}" (${event.id}); it is on sale now.`);
}
