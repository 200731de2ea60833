// @ts-check
/** @typedef {import("knex").Knex} Knex */

/**
 * Everything the OAuth 2.0 server (oidc-provider) stores: sessions, grants, device
 * codes, refresh tokens, interactions... one row per artifact, keyed by model name
 * and id, with the columns its adapter looks artifacts up by. `payload` is the
 * library's JSON, opaque to us.
 * @param {Knex} knex
 */
export async function up(knex) {
  await knex.schema.createTable('oauth_models', (t) => {
    t.string('model', 64).notNullable();
    t.string('id', 255).notNullable();
    t.text('payload').notNullable();
    t.string('grant_id', 255).nullable().index('oauth_models_grant_id_index');
    t.string('user_code', 64).nullable().index('oauth_models_user_code_index');
    t.string('uid', 255).nullable().index('oauth_models_uid_index');
    t.timestamp('expires_at', { useTz: true }).nullable().index('oauth_models_expires_at_index');
    t.timestamp('consumed_at', { useTz: true }).nullable();
    t.primary(['model', 'id']);
  });
}

/** @param {Knex} knex */
export async function down(knex) {
  await knex.schema.dropTable('oauth_models');
}
