// @ts-check
/** @typedef {import("knex").Knex} Knex */

/**
 * Ticket types and their stock. `sold` is the running count the booking path
 * updates conditionally; the CHECK is the last line of defence against overselling.
 * @param {Knex} knex
 */
export async function up(knex) {
  await knex.schema.createTable('ticket_types', (t) => {
    t.uuid('id').primary();
    t.uuid('event_id').notNullable().references('id').inTable('events');
    t.string('name', 100).notNullable();
    t.text('description').notNullable();
    t.bigInteger('price').notNullable();
    t.integer('quantity').notNullable();
    t.integer('sold').notNullable().defaultTo(0);
    t.integer('max_per_booking').notNullable();
    t.timestamp('sales_start', { useTz: true }).nullable();
    t.timestamp('sales_end', { useTz: true }).nullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable();
    t.unique(['event_id', 'name'], { indexName: 'ticket_types_event_name_unique' });
    t.check('sold >= 0 and sold <= quantity', [], 'ticket_types_sold_check');
    t.check('price >= 0', [], 'ticket_types_price_check');
    t.check('max_per_booking >= 1', [], 'ticket_types_max_per_booking_check');
    t.check(
      'sales_start is null or sales_end is null or sales_end > sales_start',
      [],
      'ticket_types_sales_window_check',
    );
  });
}

/** @param {Knex} knex */
export async function down(knex) {
  await knex.schema.dropTable('ticket_types');
}
