// @ts-check
/** @typedef {import("knex").Knex} Knex */

/**
 * Token signing keys, generated on first start and shared by every `serve`
 * process. `generation` is unique so that processes starting together agree on
 * one key: the first insert wins and the others read it back.
 * @param {Knex} knex
 */
export async function up(knex) {
  await knex.schema.createTable('signing_keys', (t) => {
    t.string('kid', 64).primary();
    t.integer('generation').notNullable().unique('signing_keys_generation_unique');
    t.string('alg', 16).notNullable();
    t.text('private_jwk').notNullable();
    t.text('public_jwk').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('retired_at', { useTz: true }).nullable();
  });
}

/** @param {Knex} knex */
export async function down(knex) {
  await knex.schema.dropTable('signing_keys');
}
