/**
 * Scratch databases with Conversations' tables: where a backup's rows are put to be read with
 * ordered queries (an export, a hand-over to another client), and the `sqlite` export itself.
 * Durability is not needed while filling one (journal off, no syncs); a file kept as an export is
 * switched to an ordinary journal and synced by its caller.
 */
import Database from './sqlite.js';
import { closeSync, openSync, rmSync } from 'node:fs';
import { CONVERSATIONS_TABLES_DDL } from './schema.js';

export interface ScratchDatabaseOptions {
  /** Check foreign keys while filling (SQLite's default here); off for rows kept as they come. */
  foreignKeys?: boolean;
  /** Page cache size in KiB (SQLite's default when not given). */
  cacheKiB?: number;
}

/**
 * Creates the scratch database at `path`, which must not exist yet: the file is made private
 * (0600) before anything is in it, and removed again if the tables cannot be created (e.g. a
 * full disk).
 */
export function createScratchDatabase(
  path: string,
  opts: ScratchDatabaseOptions = {},
): Database.Database {
  closeSync(openSync(path, 'wx', 0o600));
  let db: Database.Database | undefined;
  try {
    db = new Database(path);
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    if (opts.foreignKeys === false) db.pragma('foreign_keys = OFF');
    if (opts.cacheKiB !== undefined) db.pragma(`cache_size = -${Math.trunc(opts.cacheKiB)}`);
    db.exec(CONVERSATIONS_TABLES_DDL);
    return db;
  } catch (err) {
    db?.close();
    rmSync(path, { force: true });
    throw err;
  }
}

/** Closes a filled scratch database as an ordinary SQLite file (rollback journal) to be kept. */
export function closeForKeeping(db: Database.Database): void {
  db.pragma('journal_mode = DELETE');
  db.close();
}

/** How many conversations a database with Conversations' tables holds. */
export function countConversations(db: Database.Database): number {
  return Number(db.prepare('SELECT count(*) FROM conversations').pluck().get());
}

/** How many messages a database with Conversations' tables holds. */
export function countMessages(db: Database.Database): number {
  return Number(db.prepare('SELECT count(*) FROM messages').pluck().get());
}
