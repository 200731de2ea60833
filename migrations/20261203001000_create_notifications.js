// @ts-check
/** @typedef {import("knex").Knex} Knex */

/**
 * Emails recorded as sent. `dedupe_key` names the cause and the recipient, so
 * a retried job never sends the same email twice.
 * @param {Knex} knex
 */
export async function up(knex) {
  await knex.schema.createTable('notifications', (t) => {
    t.uuid('id').primary();
    t.string('dedupe_key', 200).notNullable().unique('notifications_dedupe_key_unique');
    t.uuid('outbox_id').notNullable();
    t.string('recipient', 254).notNullable();
    t.string('subject', 300).notNullable();
    t.timestamp('sent_at', { useTz: true }).notNullable();
    t.index(['outbox_id'], 'notifications_outbox_idx');
  });
}

/** @param {Knex} knex */
export async function down(knex) {
  await knex.schema.dropTable('notifications');
}
