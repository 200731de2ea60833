// @ts-check
/** @typedef {import("knex").Knex} Knex */

/**
 * Delivery state of an outbox row, for the embedded runner and the dispatcher:
 * how many attempts were made, the last error, when the row may next be claimed
 * (a claim lease or a retry back-off) and when it was given up on.
 * @param {Knex} knex
 */
export async function up(knex) {
  await knex.schema.alterTable('outbox', (t) => {
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('last_error').nullable();
    t.timestamp('available_at', { useTz: true }).nullable();
    t.timestamp('failed_at', { useTz: true }).nullable();
  });
}

/** @param {Knex} knex */
export async function down(knex) {
  await knex.schema.alterTable('outbox', (t) => {
    t.dropColumn('failed_at');
    t.dropColumn('available_at');
    t.dropColumn('last_error');
    t.dropColumn('attempts');
  });
}
