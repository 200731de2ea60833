import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { Knex } from '../../db/connection.js';
import { orUnavailable } from './unavailable.js';

const TABLE = 'oauth_models';

interface ModelRow {
  payload: string;
  expires_at: unknown;
  consumed_at: unknown;
}

/**
 * The oidc-provider storage adapter over Knex: one row per artifact in
 * `oauth_models`, so tokens survive restarts and every `serve` process sees the
 * same state. The library constructs one instance per model name. A lost database
 * connection is a 503 `temporarily_unavailable`, never the library's 500.
 */
export function knexAdapter(knex: Knex): new (model: string) => Adapter {
  return class KnexAdapter implements Adapter {
    constructor(readonly model: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
      const columns = {
        payload: JSON.stringify(payload),
        grant_id: payload.grantId ?? null,
        user_code: payload.userCode ?? null,
        uid: payload.uid ?? null,
        expires_at: expiresIn ? new Date(Date.now() + expiresIn * 1000) : null,
      };
      await orUnavailable(() =>
        knex(TABLE)
          .insert({ model: this.model, id, ...columns })
          .onConflict(['model', 'id'])
          .merge(columns),
      );
    }

    find(id: string): Promise<AdapterPayload | undefined> {
      return this.findWhere({ id });
    }

    findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return this.findWhere({ user_code: userCode });
    }

    findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return this.findWhere({ uid });
    }

    async consume(id: string): Promise<void> {
      await orUnavailable(() =>
        knex(TABLE).where({ model: this.model, id }).update({ consumed_at: new Date() }),
      );
    }

    async destroy(id: string): Promise<void> {
      await orUnavailable(() => knex(TABLE).where({ model: this.model, id }).delete());
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await orUnavailable(() =>
        knex(TABLE).where({ model: this.model, grant_id: grantId }).delete(),
      );
    }

    private async findWhere(where: Record<string, string>): Promise<AdapterPayload | undefined> {
      const row = (await orUnavailable(() =>
        knex(TABLE)
          .where({ model: this.model, ...where })
          .andWhere((q) => q.whereNull('expires_at').orWhere('expires_at', '>', new Date()))
          .first('payload', 'expires_at', 'consumed_at'),
      )) as ModelRow | undefined;
      if (!row) return undefined;
      const payload = JSON.parse(row.payload) as AdapterPayload;
      return row.consumed_at == null ? payload : { ...payload, consumed: true };
    }
  };
}

/** Deletes artifacts past their expiry; returns how many. */
export async function sweepOAuthModels(knex: Knex, now = new Date()): Promise<number> {
  return knex(TABLE).where('expires_at', '<', now).delete();
}
