import { printJson, printResult } from '../output.js';
import { renderEvent } from '../views/events.js';
import { signedInClient, type ClientFlags } from './client-config.js';

/** `evbook events show EVENT`: one event with its ticket types, prices and availability. */
export async function runShowEvent(id: string, flags: ClientFlags): Promise<void> {
  const event = await signedInClient(flags).getEvent(id);
  if (flags.json) return printJson(event);
  printResult(renderEvent(flags, event));
}
