// @ts-check
/** @typedef {import("knex").Knex} Knex */

/**
 * Secrets that sign the OAuth server's browser cookies, generated on first start
 * and shared by every `serve` process (a cookie set by one must verify in all).
 * The newest generation signs; older ones still verify, so rotation is adding one.
 * @param {Knex} knex
 */
export async function up(knex) {
  await knex.schema.createTable('cookie_keys', (t) => {
    t.integer('generation').primary();
    t.string('secret', 128).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
  });
}

/** @param {Knex} knex */
export async function down(knex) {
  await knex.schema.dropTable('cookie_keys');
}
