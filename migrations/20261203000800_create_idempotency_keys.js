// @ts-check
/** @typedef {import("knex").Knex} Knex */

/**
 * Remembered booking responses, one per customer and Idempotency-Key.
 * @param {Knex} knex
 */
export async function up(knex) {
  await knex.schema.createTable('idempotency_keys', (t) => {
    t.uuid('customer_id')
      .notNullable()
      .references('user_id')
      .inTable('customers')
      .onDelete('CASCADE');
    t.string('key', 255).notNullable();
    t.string('request_hash', 64).notNullable();
    t.integer('response_status').notNullable();
    t.text('response_body').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.primary(['customer_id', 'key']);
    t.index(['created_at'], 'idempotency_keys_created_idx');
  });
}

/** @param {Knex} knex */
export async function down(knex) {
  await knex.schema.dropTable('idempotency_keys');
}
