import { ApiClient } from '../../client/api-client.js';
import { printJson, printNotice, printResult } from '../output.js';
import { clientApiUrl, tokenSource, type ClientFlags } from './client-config.js';

/** `evbook api-clients create --name NAME`: credentials for a script; the secret shows once. */
export async function runApiClientsCreate(flags: ClientFlags & { name: string }): Promise<void> {
  const apiUrl = clientApiUrl(flags);
  const created = await new ApiClient(apiUrl, tokenSource(apiUrl)).createApiClient(flags.name);
  if (flags.json) return printJson(created);
  printResult(
    `EVBOOK_CLIENT_ID=${created.client_id}\nEVBOOK_CLIENT_SECRET=${created.client_secret}`,
  );
  printNotice(
    'Keep the secret safe: it is not shown again. Revoke with evbook api-clients revoke.',
  );
}

/** `evbook api-clients list`. */
export async function runApiClientsList(flags: ClientFlags): Promise<void> {
  const apiUrl = clientApiUrl(flags);
  const clients = await new ApiClient(apiUrl, tokenSource(apiUrl)).listApiClients();
  if (flags.json) return printJson(clients);
  printResult(
    clients.length === 0
      ? 'No API clients.'
      : clients.map((c) => `${c.client_id}  ${c.name}  ${c.created_at}`).join('\n'),
  );
}

/** `evbook api-clients revoke CLIENT_ID`. */
export async function runApiClientsRevoke(clientId: string, flags: ClientFlags): Promise<void> {
  const apiUrl = clientApiUrl(flags);
  await new ApiClient(apiUrl, tokenSource(apiUrl)).revokeApiClient(clientId);
  printResult(`Revoked ${clientId}.`);
}
