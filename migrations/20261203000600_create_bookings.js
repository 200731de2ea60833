// @ts-check
/** @typedef {import("knex").Knex} Knex */

/**
 * Bookings. Indexed for a customer's own list (newest first), and for the
 * fan-out of an event change: confirmed bookings of one event, keyset on customer.
 * @param {Knex} knex
 */
export async function up(knex) {
  await knex.schema.createTable('bookings', (t) => {
    t.uuid('id').primary();
    t.uuid('event_id').notNullable().references('id').inTable('events');
    t.uuid('customer_id').notNullable().references('user_id').inTable('customers');
    t.string('status', 16).notNullable();
    t.bigInteger('total').notNullable();
    t.string('currency', 3).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('cancelled_at', { useTz: true }).nullable();
    t.check("status in ('confirmed', 'cancelled')", [], 'bookings_status_check');
    t.check('total >= 0', [], 'bookings_total_check');
    t.index(['customer_id', 'id'], 'bookings_customer_idx');
    t.index(['event_id', 'status', 'customer_id'], 'bookings_event_status_customer_idx');
  });
}

/** @param {Knex} knex */
export async function down(knex) {
  await knex.schema.dropTable('bookings');
}
