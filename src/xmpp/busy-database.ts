/**
 * Writing while another connection holds the profile database's write lock (a backup import runs
 * one long transaction): instead of blocking the event loop for the connection's busy wait and
 * then losing the message, the engine tries with a short wait and, while the database stays busy,
 * waits asynchronously (growing delays) and tries again. Other errors are thrown as before.
 */
import type Database from 'better-sqlite3';
import { withBusyTimeout } from '../store/transactions.js';
import { DatabaseClosedError } from './errors.js';

export { DatabaseClosedError };

/** How long one attempt may block the event loop waiting for the lock. */
const ATTEMPT_WAIT_MS = 20;
const FIRST_DELAY_MS = 25;
const MAX_DELAY_MS = 1000;

/** Whether `err` is SQLite's "database is busy/locked" (another connection holds the lock). */
export function isDatabaseBusy(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)(_|$)/.test(code);
}

/**
 * Runs the synchronous `write` (typically a transaction) with a short busy wait, retrying
 * asynchronously while the database is busy. Stops (throws) when the database is closed or
 * `keepTrying()` returns false.
 */
export async function writeWhenFree<T>(
  db: Database.Database,
  write: () => T,
  keepTrying: () => boolean = () => true,
): Promise<T> {
  let delay = FIRST_DELAY_MS;
  for (;;) {
    if (!db.open) throw new DatabaseClosedError();
    try {
      return withBusyTimeout(db, ATTEMPT_WAIT_MS, write);
    } catch (err) {
      if (!isDatabaseBusy(err) || !keepTrying()) throw err;
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(MAX_DELAY_MS, delay * 2);
  }
}
