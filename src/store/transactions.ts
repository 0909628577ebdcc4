/**
 * Transactions that span asynchronous work (better-sqlite3's own `db.transaction()` takes only a
 * synchronous function): a backup streamed into the database, a snapshot read while a file is
 * written. One connection runs one of these at a time.
 */
import type Database from 'better-sqlite3';

export interface TransactionOptions {
  /** Take the write lock at the start (`BEGIN IMMEDIATE`): for writes on a shared profile. */
  immediate?: boolean;
}

/** An open transaction: ended by one of the two calls (either does nothing once it ended). */
export interface Transaction {
  commit(): void;
  rollback(): void;
}

/**
 * Starts a transaction that the caller ends, around asynchronous work or beyond the call (a
 * snapshot handed to a reader). Neither end fails when the connection was closed meanwhile.
 */
export function beginTransaction(
  db: Database.Database,
  opts: TransactionOptions = {},
): Transaction {
  db.exec(opts.immediate ? 'BEGIN IMMEDIATE' : 'BEGIN');
  const end = (sql: 'COMMIT' | 'ROLLBACK') => {
    if (db.open && db.inTransaction) db.exec(sql);
  };
  return { commit: () => end('COMMIT'), rollback: () => end('ROLLBACK') };
}

/**
 * Runs `work` in one transaction: committed when it returns, rolled back when it throws (the
 * error is thrown on). A read-only connection gets one consistent snapshot for all its queries.
 */
export async function inTransaction<T>(
  db: Database.Database,
  work: () => Promise<T> | T,
  opts: TransactionOptions = {},
): Promise<T> {
  const tx = beginTransaction(db, opts);
  try {
    const result = await work();
    tx.commit();
    return result;
  } catch (err) {
    tx.rollback();
    throw err;
  }
}

/**
 * Runs the synchronous `work` with SQLite's busy wait set to `ms` (how long a statement blocks
 * waiting for another connection's lock), then restores the connection's own wait.
 */
export function withBusyTimeout<T>(db: Database.Database, ms: number, work: () => T): T {
  const previous = db.pragma('busy_timeout', { simple: true }) as number;
  db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(ms))}`);
  try {
    return work();
  } finally {
    if (db.open) db.pragma(`busy_timeout = ${previous}`);
  }
}
