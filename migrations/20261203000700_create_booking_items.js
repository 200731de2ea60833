// @ts-check
/** @typedef {import("knex").Knex} Knex */

/**
 * The lines of a booking. Name and unit price are copied at booking time, so
 * later edits of the ticket type never rewrite what a customer paid for.
 * @param {Knex} knex
 */
export async function up(knex) {
  await knex.schema.createTable('booking_items', (t) => {
    t.uuid('booking_id').notNullable().references('id').inTable('bookings').onDelete('CASCADE');
    t.uuid('ticket_type_id').notNullable().references('id').inTable('ticket_types');
    t.string('name', 100).notNullable();
    t.integer('quantity').notNullable();
    t.bigInteger('unit_price').notNullable();
    t.primary(['booking_id', 'ticket_type_id']);
    t.index(['ticket_type_id'], 'booking_items_ticket_type_idx');
    t.check('quantity >= 1', [], 'booking_items_quantity_check');
    t.check('unit_price >= 0', [], 'booking_items_unit_price_check');
  });
}

/** @param {Knex} knex */
export async function down(knex) {
  await knex.schema.dropTable('booking_items');
}
