// @ts-check
/** @typedef {import("knex").Knex} Knex */

/**
 * When a dispatcher claimed an outbox row it is working on, null otherwise. With it,
 * a row not yet due is told apart as in hand (claimed, its lease running) or backing
 * off after a failed attempt: the queue depth of embedded mode (`/metrics`).
 * @param {Knex} knex
 */
export async function up(knex) {
  await knex.schema.alterTable('outbox', (t) => {
    t.timestamp('claimed_at', { useTz: true }).nullable();
  });
}

/** @param {Knex} knex */
export async function down(knex) {
  await knex.schema.alterTable('outbox', (t) => {
    t.dropColumn('claimed_at');
  });
}
