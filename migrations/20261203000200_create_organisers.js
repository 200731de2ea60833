// @ts-check
/** @typedef {import("knex").Knex} Knex */

/**
 * The organiser profile of a user.
 * @param {Knex} knex
 */
export async function up(knex) {
  await knex.schema.createTable('organisers', (t) => {
    t.uuid('user_id').primary().references('id').inTable('users').onDelete('CASCADE');
    t.string('display_name', 200).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
  });
}

/** @param {Knex} knex */
export async function down(knex) {
  await knex.schema.dropTable('organisers');
}
