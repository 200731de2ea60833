// @ts-check
/** @typedef {import("knex").Knex} Knex */

/**
 * Fixed-window counters for abuse limits (sign-ups, failed sign-ins, user-code
 * attempts, device polling), kept in the database so that every `serve` process
 * counts against the same limit.
 * @param {Knex} knex
 */
export async function up(knex) {
  await knex.schema.createTable('rate_limits', (t) => {
    t.string('bucket', 255).notNullable();
    t.bigInteger('window_start').notNullable();
    t.integer('hits').notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable().index('rate_limits_expires_at_index');
    t.primary(['bucket', 'window_start']);
  });
}

/** @param {Knex} knex */
export async function down(knex) {
  await knex.schema.dropTable('rate_limits');
}
