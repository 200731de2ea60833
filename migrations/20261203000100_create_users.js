// @ts-check
/** @typedef {import("knex").Knex} Knex */

/**
 * People who sign in: one identity for both roles, so login is one mechanism.
 * Emails are stored lower-cased, which makes the unique index case-insensitive.
 * @param {Knex} knex
 */
export async function up(knex) {
  await knex.schema.createTable('users', (t) => {
    t.uuid('id').primary();
    t.string('email', 254).notNullable().unique('users_email_unique');
    t.string('name', 200).notNullable();
    t.string('role', 16).notNullable();
    t.string('password_hash', 255).nullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable();
    t.check("role in ('organiser', 'customer')", [], 'users_role_check');
  });
}

/** @param {Knex} knex */
export async function down(knex) {
  await knex.schema.dropTable('users');
}
