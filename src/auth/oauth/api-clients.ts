import { randomBytes } from 'node:crypto';
import type { Knex } from '../../db/connection.js';
import { NotFoundError } from '../../shared/errors.js';
import { knexAdapter } from './adapter.js';

/** Client metadata naming the user an API client acts for. */
export const OWNER_METADATA = 'evbook_user_id';
const NAME_METADATA = 'evbook_name';
const CREATED_METADATA = 'evbook_created_at';

export interface ApiClientView {
  client_id: string;
  name: string;
  created_at: string;
}

export interface NewApiClient extends ApiClientView {
  /** Shown once, at creation. */
  client_secret: string;
}

interface ClientPayload {
  client_id: string;
  [OWNER_METADATA]?: string;
  [NAME_METADATA]?: string;
  [CREATED_METADATA]?: string;
}

/**
 * API clients let scripts and CI act as their owner without a browser: each is a
 * confidential OAuth client allowed only the client credentials grant, stored
 * where oidc-provider looks clients up (its `Client` model). Its tokens carry
 * the owner's id and role.
 */
export async function createApiClient(
  knex: Knex,
  ownerId: string,
  name: string,
  now = new Date(),
): Promise<NewApiClient> {
  const clientId = `evbook-ac-${randomBytes(12).toString('base64url')}`;
  const secret = randomBytes(32).toString('base64url');
  const payload = {
    client_id: clientId,
    client_secret: secret,
    client_name: name,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: 'ES256',
    [OWNER_METADATA]: ownerId,
    [NAME_METADATA]: name,
    [CREATED_METADATA]: now.toISOString(),
  };
  await clients(knex).upsert(clientId, payload as never);
  return {
    client_id: clientId,
    name,
    created_at: payload[CREATED_METADATA],
    client_secret: secret,
  };
}

/** The API clients `ownerId` created, oldest first. */
export async function listApiClients(knex: Knex, ownerId: string): Promise<ApiClientView[]> {
  const rows = (await knex('oauth_models').where({ model: 'Client' }).select('payload')) as Array<{
    payload: string;
  }>;
  return rows
    .map((row) => JSON.parse(row.payload) as ClientPayload)
    .filter((client) => client[OWNER_METADATA] === ownerId)
    .map((client) => ({
      client_id: client.client_id,
      name: client[NAME_METADATA] ?? '',
      created_at: client[CREATED_METADATA] ?? '',
    }))
    .sort((a, b) => a.created_at.localeCompare(b.created_at));
}

/** Deletes one of `ownerId`'s API clients: it can get no new token from now on. */
export async function revokeApiClient(
  knex: Knex,
  ownerId: string,
  clientId: string,
): Promise<void> {
  const mine = await listApiClients(knex, ownerId);
  if (!mine.some((client) => client.client_id === clientId)) {
    throw new NotFoundError('No such API client.');
  }
  await clients(knex).destroy(clientId);
}

function clients(knex: Knex) {
  const Adapter = knexAdapter(knex);
  return new Adapter('Client');
}
