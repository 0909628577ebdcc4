import Database from './sqlite.js';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { migrate } from './migrations.js';

/** A ferry profile: one "device" — a folder holding `ferry.db` and the account's files. */
export interface Profile {
  dir: string;
  db: Database.Database;
  close(): void;
}

export function profileDatabasePath(dir: string): string {
  return join(dir, 'ferry.db');
}

/** The profile's own backup folder, where `backup create` writes unless told otherwise. */
export function profileBackupDir(dir: string): string {
  return join(dir, 'Backup');
}

/** The database's own mode: account passwords and OMEMO private keys are in it. */
export const DATABASE_MODE = 0o600;

/**
 * Makes `ferry.db` and its WAL and shared-memory files private (0600) whatever the umask and the
 * folder's mode: creates the database file so before SQLite opens it (SQLite gives its -wal and
 * -shm files the database's mode), and narrows files an older ferry left wider.
 */
function keepDatabasePrivate(path: string): void {
  closeSync(openSync(path, 'a', DATABASE_MODE));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    if (existsSync(file)) chmodSync(file, DATABASE_MODE);
  }
}

/** Opens a connection to the profile database with ferry's settings (WAL, foreign keys, busy wait). */
export function openProfileDatabase(
  dir: string,
  opts: {
    readonly?: boolean;
    /** A page cache of this many KiB (SQLite's default when not given): for one big transaction. */
    cacheKiB?: number;
  } = {},
): Database.Database {
  if (!opts.readonly) keepDatabasePrivate(profileDatabasePath(dir));
  const db = new Database(profileDatabasePath(dir), { readonly: opts.readonly ?? false });
  if (!opts.readonly) db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  if (opts.cacheKiB !== undefined) db.pragma(`cache_size = -${Math.trunc(opts.cacheKiB)}`);
  return db;
}

/** Opens (creating if needed) the profile in `dir` and brings its schema up to date. */
export function openProfile(dir: string): Profile {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const db = openProfileDatabase(dir);
  try {
    migrate(db);
  } catch (err) {
    db.close();
    throw err;
  }
  return {
    dir,
    db,
    close: () => {
      if (db.open) db.close();
    },
  };
}
