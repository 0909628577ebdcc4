import Database from './sqlite.js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ProfileBusyError } from './errors.js';

/**
 * One operation at a time per profile (two backups, or a backup and an import, never interleave).
 *
 * The lock is an open write transaction on a small SQLite file beside the profile database
 * (`ferry.lock`). SQLite's file locks are released by the operating system when the holder exits —
 * even when it is killed — so a crash never leaves the profile locked. Who holds the lock is written
 * to the same file before the lock is taken, for the "busy" message.
 */
export function profileLockPath(dir: string): string {
  return join(dir, 'ferry.lock');
}

interface Holder {
  operation: string;
  pid: number;
  since: string;
}

function openLockDatabase(dir: string): Database.Database {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const db = new Database(profileLockPath(dir));
  db.pragma('busy_timeout = 0');
  return db;
}

function isBusy(err: unknown): boolean {
  return err instanceof Error && 'code' in err && String(err.code).startsWith('SQLITE_BUSY');
}

function readHolder(db: Database.Database): Holder | undefined {
  try {
    return db.prepare('SELECT operation, pid, since FROM holder WHERE id = 1').get() as
      Holder | undefined;
  } catch {
    return undefined;
  }
}

/** A held profile lock; `release()` is idempotent. */
export interface ProfileLock {
  operation: string;
  release(): void;
}

/** Takes the profile's lock now or throws {@link ProfileBusyError}. */
export function acquireProfileLock(profile: { dir: string }, operation: string): ProfileLock {
  const db = openLockDatabase(profile.dir);
  try {
    db.exec('BEGIN IMMEDIATE');
    db.exec(
      'CREATE TABLE IF NOT EXISTS holder (id INTEGER PRIMARY KEY, operation TEXT, pid INTEGER, since TEXT)',
    );
    db.prepare('INSERT OR REPLACE INTO holder (id, operation, pid, since) VALUES (1, ?, ?, ?)').run(
      operation,
      process.pid,
      new Date().toISOString(),
    );
    // Publish who holds it, then hold it: the write transaction below is the lock itself.
    db.exec('COMMIT');
    db.exec('BEGIN IMMEDIATE');
  } catch (err) {
    const holder = isBusy(err) ? readHolder(db) : undefined;
    if (db.inTransaction) db.exec('ROLLBACK');
    db.close();
    if (isBusy(err)) throw new ProfileBusyError(operation, holder);
    throw err;
  }
  let released = false;
  return {
    operation,
    release() {
      if (released) return;
      released = true;
      if (db.inTransaction) db.exec('ROLLBACK');
      db.close();
    },
  };
}

/**
 * Runs `fn` while holding the profile's lock; throws {@link ProfileBusyError} at once when another
 * operation (in this or another process) holds it.
 */
export async function withProfileLock<T>(
  profile: { dir: string },
  operation: string,
  fn: () => T | Promise<T>,
): Promise<T> {
  const lock = acquireProfileLock(profile, operation);
  try {
    return await fn();
  } finally {
    lock.release();
  }
}
