import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CONVERSATIONS_TABLES_DDL } from './schema.js';

/** A ferry profile: one "device" — a folder holding `ferry.db` and the account's files. */
export interface Profile {
  dir: string;
  db: Database.Database;
  close(): void;
}

export function profileDatabasePath(dir: string): string {
  return join(dir, 'ferry.db');
}

/** Opens (creating if needed) the profile in `dir` and brings its schema up to date. */
export function openProfile(dir: string): Profile {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const db = new Database(profileDatabasePath(dir));
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.exec(CONVERSATIONS_TABLES_DDL);
  return {
    dir,
    db,
    close: () => db.close(),
  };
}
