import { ApiClient } from '../../client/api-client.js';
import { printJson, printResult } from '../output.js';
import { clientApiUrl, tokenSource, type ClientFlags } from './client-config.js';

/** `evbook whoami`: the user the stored session belongs to (refreshing it if needed). */
export async function runWhoami(flags: ClientFlags): Promise<void> {
  const apiUrl = clientApiUrl(flags);
  const user = await new ApiClient(apiUrl, tokenSource(apiUrl)).me();
  if (flags.json) return printJson(user);
  printResult(`${user.name} <${user.email}> (${user.role})`);
}
