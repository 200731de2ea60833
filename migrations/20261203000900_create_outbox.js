// @ts-check
/** @typedef {import("knex").Knex} Knex */

/**
 * Intents to notify, written in the same transaction as their cause and
 * dispatched later. Undispatched rows are found through the partial index.
 * @param {Knex} knex
 */
export async function up(knex) {
  await knex.schema.createTable('outbox', (t) => {
    t.uuid('id').primary();
    t.string('kind', 64).notNullable();
    t.text('payload').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('dispatched_at', { useTz: true }).nullable();
    t.index(['created_at', 'id'], 'outbox_pending_idx', {
      predicate: knex.whereNull('dispatched_at'),
    });
  });
}

/** @param {Knex} knex */
export async function down(knex) {
  await knex.schema.dropTable('outbox');
}
