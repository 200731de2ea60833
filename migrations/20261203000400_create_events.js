// @ts-check
/** @typedef {import("knex").Knex} Knex */

/**
 * Events. Indexed for the two listings: an organiser's own events, and the
 * public catalogue of published events ordered by start.
 * @param {Knex} knex
 */
export async function up(knex) {
  await knex.schema.createTable('events', (t) => {
    t.uuid('id').primary();
    t.uuid('organiser_id').notNullable().references('user_id').inTable('organisers');
    t.string('title', 200).notNullable();
    t.text('description').notNullable();
    t.string('venue', 200).notNullable();
    t.timestamp('starts_at', { useTz: true }).notNullable();
    t.timestamp('ends_at', { useTz: true }).notNullable();
    t.string('currency', 3).notNullable();
    t.string('status', 16).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable();
    t.check("status in ('draft', 'published', 'cancelled')", [], 'events_status_check');
    t.check('ends_at > starts_at', [], 'events_ends_after_start_check');
    t.index(['organiser_id', 'starts_at', 'id'], 'events_organiser_starts_idx');
    t.index(['status', 'starts_at', 'id'], 'events_status_starts_idx');
  });
}

/** @param {Knex} knex */
export async function down(knex) {
  await knex.schema.dropTable('events');
}
