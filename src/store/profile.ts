import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
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

/** Opens a connection to the profile database with ferry's settings (WAL, foreign keys, busy wait). */
export function openProfileDatabase(
  dir: string,
  opts: { readonly?: boolean } = {},
): Database.Database {
  const db = new Database(profileDatabasePath(dir), { readonly: opts.readonly ?? false });
  if (!opts.readonly) db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
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
