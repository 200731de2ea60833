import type { Client } from 'pg';
import type { Knex } from 'knex';

/**
 * pg's `query_timeout` fails a query that got no answer in time, but leaves its
 * connection as it was: still waiting for that answer (the next query would queue
 * behind it) and, inside a transaction, still in it. Knex then hands it back to the
 * pool, where the next request would inherit a stuck connection, or an open
 * transaction that a later COMMIT could apply half of. This guard makes a timed-out
 * connection unusable at once and keeps it out of the pool:
 *
 * - On a query timeout the connection is ended. pg closes the socket at once when a
 *   query is in flight, so the ROLLBACK Knex sends next fails at once instead of after
 *   another timeout, and Knex marks the connection disposed (never reused). The server
 *   rolls back an open transaction when it sees the socket close, or, if the network
 *   swallows that too, when `idle_in_transaction_session_timeout` runs out.
 * - At checkout, a connection is reused only when it was not ended here and is idle
 *   outside a transaction (`getTransactionStatus() === 'I'`); anything else is destroyed.
 */
export interface TimedOutConnectionGuard {
  /** Knex `pool.afterCreate`: remembers the connection under its Knex id. */
  afterCreate(connection: Client, done: (error: Error | null, connection: Client) => void): void;
  /** Knex `pool.validate`: false for a connection that must not be reused. */
  validate(connection: Client): boolean;
  /** Ends the connection of every query that fails with a client-side timeout. */
  watch(knex: Knex): void;
}

/** The message pg gives a query that `query_timeout` gave up on. */
const QUERY_TIMEOUT = /Query read timeout/;

interface KnexConnection extends Client {
  __knexUid?: string;
}

/** True when pg gave up waiting for a query's answer (`query_timeout`). */
export function isQueryTimeout(error: unknown): boolean {
  return error instanceof Error && QUERY_TIMEOUT.test(error.message);
}

export function guardTimedOutConnections(): TimedOutConnectionGuard {
  const live = new Map<string, Client>();
  // Ended, but Knex learns it only when the socket has closed: until then the pool
  // could hand the connection out again.
  const ended = new WeakSet<Client>();
  return {
    afterCreate(connection: KnexConnection, done) {
      const uid = connection.__knexUid;
      if (uid !== undefined) {
        live.set(uid, connection);
        connection.once('end', () => live.delete(uid));
      }
      done(null, connection);
    },

    validate(connection) {
      return !ended.has(connection) && connection.getTransactionStatus() === 'I';
    },

    watch(knex) {
      knex.on('query-error', (error: unknown, query: { __knexUid?: string } | undefined) => {
        if (!isQueryTimeout(error) || query?.__knexUid === undefined) return;
        const connection = live.get(query.__knexUid);
        if (!connection) return;
        live.delete(query.__knexUid);
        ended.add(connection);
        // end() settles once the socket is closed; nothing waits for it.
        connection.end().catch(() => {});
      });
    },
  };
}
