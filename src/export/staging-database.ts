import type Database from 'better-sqlite3';
import { BackupRowInserter, type DbRow } from '../store/backup-rows.js';
import { createScratchDatabase } from '../store/scratch-database.js';
import { inTransaction } from '../store/transactions.js';
import type { BackupRow } from '../format/types.js';
import { asConversationsRestores } from '../format/line-endings.js';

/**
 * A scratch SQLite database with Conversations' tables, where a backup's rows are put so that every
 * export format can be rendered from ordered queries (and the `sqlite` export is this file itself).
 * Durability is not needed while filling it: journal off, no syncs; the file is fsynced once when
 * it is kept as an export. `path` must not exist yet.
 */
export function createExportDatabase(path: string): Database.Database {
  // Private from the start: it may hold the account's data before it is renamed into place.
  return createScratchDatabase(path, { foreignKeys: false, cacheKiB: 16000 });
}

/** Tables holding the account's OMEMO private keys and sessions. */
const KEY_TABLES = new Set(['prekeys', 'signed_prekeys', 'sessions', 'identities']);
/** Account columns that let someone log in as the account. */
const SECRET_ACCOUNT_COLUMNS = ['password', 'fast_token'];

/**
 * What of a row goes into an export: without `withSecrets`, the account's password and login token
 * are blanked and OMEMO key material is left out (it is not needed to read the chats). Line breaks
 * follow the same rule as `backup import` ({@link asConversationsRestores}).
 */
export function rowForExport<R extends BackupRow | DbRow>(
  row: R,
  formatVersion: number,
  withSecrets: boolean,
): R | null {
  if (!withSecrets && KEY_TABLES.has(row.table)) return null;
  let values = row.values as Record<string, unknown>;
  if (!withSecrets && row.table === 'accounts') {
    values = { ...values };
    for (const c of SECRET_ACCOUNT_COLUMNS) if (c in values) values[c] = null;
  }
  const restored = asConversationsRestores({ values }, formatVersion);
  values = restored.values;
  return values === row.values ? row : ({ ...row, values } as R);
}

/**
 * Fills the database from `rows` inside one transaction that is committed only when the iteration
 * ends normally — for a `.ceb`, only after the file authenticated. Returns the number of messages.
 */
export async function fillExportDatabase(
  db: Database.Database,
  rows: Iterable<BackupRow | DbRow> | AsyncIterable<BackupRow | DbRow>,
  opts: { formatVersion: number; withSecrets: boolean; onRow?: (count: number) => void },
): Promise<{ rows: number; messages: number }> {
  const inserter = new BackupRowInserter(db);
  let count = 0;
  await inTransaction(db, async () => {
    for await (const row of rows) {
      count++;
      if (opts.onRow && count % 1000 === 0) opts.onRow(count);
      const kept = rowForExport(row, opts.formatVersion, opts.withSecrets);
      if (kept) inserter.insert(kept);
    }
  });
  return { rows: count, messages: inserter.counts.messages };
}
