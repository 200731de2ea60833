import type BetterSqlite3 from 'better-sqlite3';
import type { Knex } from './connection.js';
import { prepared, withSqliteConnection, type SqliteConnection } from './sqlite-native.js';

/**
 * Most units of work one SQLite transaction takes. Bounds how long one commit holds
 * the write lock (and the event loop: better-sqlite3 is synchronous) to a few ms.
 */
export const GROUP_COMMIT_MAX = 64;

interface Unit {
  work: (connection: SqliteConnection) => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

const ROLLED_BACK = 'the group transaction was rolled back by SQLite';

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Units waiting for the next flush, per Knex instance. */
const waiting = new WeakMap<Knex, Unit[]>();

/**
 * Group commit on SQLite: runs `work` in a `BEGIN IMMEDIATE` transaction shared with
 * every other unit queued in the same turn of the event loop, each unit inside a
 * savepoint of its own.
 *
 * Why: a commit writes every B-tree page the transaction touched to the WAL, and a
 * booking touches about ten (the ticket type, the booking, its item, the outbox row and
 * their indexes). Bookings that arrive together mostly touch the same pages, so one
 * commit for all of them writes those pages once instead of once each.
 *
 * What each caller sees is what a transaction of its own would give it: a unit that
 * throws is rolled back and rejects alone, the others go on; the
 * promise of a unit settles only after the shared COMMIT, so nobody is told "done"
 * before the work is durable; and a failed BEGIN or COMMIT (e.g. `SQLITE_BUSY` after
 * the busy timeout) rejects every unit of the group with that error, none applied.
 * `work` must be synchronous, as better-sqlite3's transactions require.
 */
export function inGroupCommit<T>(knex: Knex, work: (connection: SqliteConnection) => T) {
  return new Promise<T>((resolve, reject) => {
    let queue = waiting.get(knex);
    if (!queue) {
      waiting.set(knex, (queue = []));
      // setImmediate runs after the poll phase, so every request whose body was read
      // in this turn has queued its unit by then.
      setImmediate(() => void flush(knex));
    }
    queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
  });
}

async function flush(knex: Knex): Promise<void> {
  const queue = waiting.get(knex) ?? [];
  waiting.delete(knex);

  while (queue.length > 0) {
    const units = queue.splice(0, GROUP_COMMIT_MAX);
    let outcomes: Outcome[];
    try {
      outcomes = await withSqliteConnection(knex, (connection) => runGroup(connection, units));
    } catch (error) {
      for (const unit of units) unit.reject(error);
      continue;
    }
    outcomes.forEach((outcome, i) => {
      if (outcome.ok) units[i]!.resolve(outcome.value);
      else units[i]!.reject(outcome.error);
    });
  }
}

/** Thrown to abandon the fast path: a failed unit had written something. */
class PartlyWritten extends Error {}

/**
 * Runs a group in one transaction. A savepoint per unit costs about as much as the
 * booking itself, and a unit nearly always either succeeds or fails before writing (a
 * rule check, a sold-out type), so the group first runs without savepoints, counting
 * SQLite's changed rows around each unit: a unit that throws having changed nothing
 * needs no undoing. Only when one throws after a write is the whole transaction rolled
 * back and the group run again with a savepoint per unit.
 */
function runGroup(connection: SqliteConnection, units: Unit[]): Outcome[] {
  const group = groupTransactionsOf(connection);
  group.units = units;
  try {
    return group.fast.immediate();
  } catch (error) {
    if (!(error instanceof PartlyWritten)) throw error;
    return group.careful.immediate();
  } finally {
    group.units = [];
  }
}

/**
 * The transaction functions of one connection, made once: better-sqlite3 builds four
 * wrappers per `transaction()` call, which made them the largest allocation of a
 * fan-out (one group per recorded email). They read the group of the moment from
 * `units`.
 */
interface GroupTransactions {
  units: Unit[];
  fast: BetterSqlite3.Transaction<() => Outcome[]>;
  careful: BetterSqlite3.Transaction<() => Outcome[]>;
  savepoint: BetterSqlite3.Transaction<(unit: Unit) => unknown>;
}

const transactions = new WeakMap<SqliteConnection, GroupTransactions>();

function groupTransactionsOf(connection: SqliteConnection): GroupTransactions {
  let group = transactions.get(connection);
  if (group) return group;
  const totalChanges = prepared(connection, 'select total_changes()').pluck();
  const made: GroupTransactions = {
    units: [],
    fast: connection.transaction(() =>
      made.units.map((unit): Outcome => {
        const before = totalChanges.get();
        try {
          return { ok: true, value: unit.work(connection) };
        } catch (error) {
          if (totalChanges.get() !== before) throw new PartlyWritten();
          return { ok: false, error };
        }
      }),
    ),
    careful: connection.transaction(() =>
      made.units.map((unit) => runInSavepoint(connection, made, unit)),
    ),
    // A transaction function called inside a transaction runs in a savepoint.
    savepoint: connection.transaction((unit: Unit) => unit.work(connection)),
  };
  transactions.set(connection, (group = made));
  return group;
}

function runInSavepoint(
  connection: SqliteConnection,
  group: GroupTransactions,
  unit: Unit,
): Outcome {
  // SQLite rolls the whole transaction back by itself on some errors (a full disk, an
  // I/O error); a unit run after that would commit on its own, outside the group.
  if (!connection.inTransaction) return { ok: false, error: new Error(ROLLED_BACK) };
  try {
    return { ok: true, value: group.savepoint(unit) };
  } catch (error) {
    return { ok: false, error };
  }
}
