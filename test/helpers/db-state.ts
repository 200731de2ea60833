import { SCHEMA_TABLES as TABLES, type TestDatabase } from './databases.js';

export interface DatabaseSnapshot {
  counts: Record<string, number>;
  /** `ticket_types.sold` by id. */
  sold: Record<string, number>;
  /** `events.updated_at` and `ticket_types.updated_at` by id, as epoch ms. */
  updatedAt: Record<string, number>;
}

/** Row counts of every table, stock sold and last-change times: what a refused request must not touch. */
export async function snapshotDatabase(database: TestDatabase): Promise<DatabaseSnapshot> {
  const knex = database.db.knex;
  // Read concurrently: the property-based suites take thousands of snapshots.
  const [tallies, types, events] = await Promise.all([
    Promise.all(TABLES.map((table) => countRows(database, table))),
    knex('ticket_types').select('id', 'sold', 'updated_at'),
    knex('events').select('id', 'updated_at'),
  ]);
  const counts: Record<string, number> = {};
  TABLES.forEach((table, i) => (counts[table] = tallies[i]!));
  const sold: Record<string, number> = {};
  const updatedAt: Record<string, number> = {};
  for (const type of types) {
    sold[type.id] = Number(type.sold);
    updatedAt[type.id] = epoch(type.updated_at);
  }
  for (const event of events) {
    updatedAt[event.id] = epoch(event.updated_at);
  }
  return { counts, sold, updatedAt };
}

function epoch(value: unknown): number {
  return value instanceof Date ? value.getTime() : Number(value);
}

export interface OutboxEntry {
  kind: string;
  payload: any;
}

/** The outbox rows, oldest first, with their payload parsed. */
export async function outboxEntries(database: TestDatabase): Promise<OutboxEntry[]> {
  const rows = await database.db.knex('outbox').select('kind', 'payload').orderBy('id');
  return rows.map((row) => ({ kind: row.kind, payload: JSON.parse(row.payload) }));
}

/** How many rows `table` holds. */
export async function countRows(database: TestDatabase, table: string): Promise<number> {
  const row = await database.db.knex(table).count<Array<{ n: unknown }>>('* as n').first();
  return Number(row?.n ?? 0);
}
