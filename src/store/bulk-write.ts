/**
 * Settings for one big write transaction (a backup import): a larger page cache, and SQLite's
 * rollback journal instead of the WAL when the connection is the only one open on the database.
 *
 * Why the rollback journal: in WAL mode every page of the import is written twice, first into the
 * WAL and then, at the commit's checkpoint, into the database (1,000,000 messages: 500 MB twice).
 * A rollback journal keeps only the original content of pages that existed before the
 * transaction; pages added at the file's end are written once, into the database. The commit is
 * as atomic as in WAL mode: a crash leaves a "hot" journal that SQLite plays back at the next
 * open (see https://sqlite.org/atomiccommit.html), and the journal file gets the database's mode
 * (0600), as the WAL does.
 *
 * What it costs: while the transaction holds more than the page cache, readers on other
 * connections wait (the WAL let them read the previous state). SQLite refuses to leave WAL mode
 * while another connection has the database open (the web app, another ferry process): then
 * nothing changes and the WAL is used as before. WAL mode is restored afterwards; if another
 * connection prevents even that, the next {@link openProfileDatabase} restores it.
 */
import type Database from 'better-sqlite3';

export interface BulkWrite {
  /** Whether the rollback journal is in use (false: the WAL, another connection is open). */
  readonly withoutWal: boolean;
  /** Back to the connection's own cache size and WAL mode; call after the transaction ended. */
  end(): void;
}

function isBusy(err: unknown): boolean {
  return (
    err instanceof Error &&
    'code' in err &&
    typeof err.code === 'string' &&
    err.code.startsWith('SQLITE_BUSY')
  );
}

/** Prepares `db` (outside any transaction) for one big write; see the module's comment. */
export function startBulkWrite(db: Database.Database, cacheKiB: number): BulkWrite {
  const cacheBefore = db.pragma('cache_size', { simple: true }) as number;
  db.pragma(`cache_size = -${Math.trunc(cacheKiB)}`);
  let withoutWal = false;
  if (db.pragma('journal_mode', { simple: true }) === 'wal') {
    try {
      withoutWal = db.pragma('journal_mode = DELETE', { simple: true }) === 'delete';
    } catch (err) {
      if (!isBusy(err)) throw err;
    }
  }
  return {
    withoutWal,
    end() {
      if (!db.open) return;
      db.pragma(`cache_size = ${cacheBefore}`);
      if (!withoutWal) return;
      try {
        db.pragma('journal_mode = WAL');
      } catch (err) {
        // Committed already; the next connection opened by ferry asks for WAL again.
        if (!isBusy(err)) throw err;
      }
    },
  };
}
