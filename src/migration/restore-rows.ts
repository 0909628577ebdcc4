/**
 * The heart of `backup import`: one backup file into the profile's database, inside one
 * transaction on a connection of its own, committed only after the format library has verified the
 * GCM tag and the gzip trailer; any failure rolls everything back. The profile lock is the
 * caller's.
 */
import {
  asConversationsRestoresBatch,
  BackupContentCheck,
  headerTime,
  openBackup,
  slicesOf,
} from '@ferry/ceb-format';
import { BACKUP_TABLES, type BackupTable } from '@ferry/ceb-format/header';
import { disableAccount, findAccountByJid } from '../store/accounts.js';
import { BackupRowInserter, ImportLedger, type BackupRowCounts } from '../store/backup-rows.js';
import { AccountExistsError } from '../store/errors.js';
import { openProfileDatabase } from '../store/profile.js';
import { startBulkWrite, type BulkWrite } from '../store/bulk-write.js';
import type Database from '../store/sqlite.js';
import { beginTransaction } from '../store/transactions.js';
import type { MediaImportOutcome } from './media/summary.js';
import { MissingMediaTally, type LocateMedia, type MissingMedia } from './missing-media.js';

export type ImportEvent =
  | { kind: 'start'; file: string; jid: string }
  | { kind: 'rows'; table: BackupTable; rows: number }
  | { kind: 'committed'; rows: number };

export interface ImportResult {
  file: string;
  jid: string;
  app: string;
  format: number;
  /** When the backup was made (the header's timestamp). */
  createdAt: string;
  accountUuid: string;
  counts: BackupRowCounts;
  conversations: number;
  messages: number;
  /** Prekeys, signed prekeys, sessions and identities restored. */
  omemoKeys: number;
  /** Columns added because the backup holds data of a newer Conversations. */
  addedColumns: string[];
  missingMedia: MissingMedia;
  /** What the media step did (absent when it did not run; null when there was no companion). */
  media?: MediaImportOutcome;
}

const PROGRESS_EVERY = 2000;
const IMPORT_CACHE_KIB = 24 * 1024;
/**
 * One parser thread: this thread's inserts are the slower side (a parser thread keeps well ahead
 * of them), and a second thread costs ~16 MiB and its heap for nothing.
 */
const PARSER_THREADS = 1;
/** Rows whose values are made and bound at a time (see the loop in restoreRows). */
const SLICE_ROWS = 64;
const OMEMO_TABLES: BackupTable[] = ['prekeys', 'signed_prekeys', 'sessions', 'identities'];

export interface RestoreOptions {
  onProgress?: (event: ImportEvent) => void;
  locateMedia?: LocateMedia;
  /**
   * The profile's own connection, when nothing else uses it while the import runs (the CLI): the
   * import then runs on it, and, with no other connection open, writes without the WAL (see
   * store/bulk-write.ts). Otherwise the import opens a connection of its own.
   */
  connection?: Database.Database;
}

/** Restores `file` into the profile in `profile.dir` (see the module's comment). */
export async function restoreRows(
  profile: { dir: string },
  file: string,
  password: string,
  { onProgress, locateMedia, connection }: RestoreOptions = {},
): Promise<ImportResult> {
  const db = connection ?? openProfileDatabase(profile.dir);
  // A page cache for one big transaction: the messages' random `uuid` primary-key index is the
  // page SQLite looks for at random on every insert, so its cache misses bound the import. 24 MiB
  // holds it at 1,000,000 messages (16.8 s → 11.1 s of inserting; docs/performance.md); a fixed
  // size, so memory stays flat at any size.
  let bulk: BulkWrite | undefined;
  try {
    bulk = startBulkWrite(db, IMPORT_CACHE_KIB);
    const opened = await openBackup(file, password);
    const { header } = opened;
    onProgress?.({ kind: 'start', file, jid: header.jid });
    const tx = beginTransaction(db, { immediate: true });
    try {
      if (findAccountByJid(db, header.jid)) throw new AccountExistsError(header.jid);
      const inserter = new BackupRowInserter(db);
      // Uniqueness is left to the database's keys; the ledger asks the database.
      const ledger = new ImportLedger(db, (): string | undefined => content.accountUuid);
      const content: BackupContentCheck = new BackupContentCheck(header, ledger);
      // Counted as the rows go in: no second pass over the messages after the commit.
      const media = new MissingMediaTally(profile, locateMedia);
      let total = 0;
      // Parsed on worker threads while this thread binds and inserts (see parallel-parse.ts).
      for await (const batch of opened.batches({ values: true, threads: PARSER_THREADS })) {
        // A few rows at a time: their values are made from the batch's bytes right before they
        // are bound, so that almost none outlive a young-generation collection.
        for (const rows of slicesOf(batch, SLICE_ROWS)) {
          // The same content checks as `verify`, before any of these rows goes in.
          content.checkBatch(rows);
          inserter.insertBatch(asConversationsRestoresBatch(rows, header.version));
          ledger.inserted();
          media.add(rows);
        }
        const before = total;
        total += batch.shape.length / 2;
        if (Math.floor(total / PROGRESS_EVERY) > Math.floor(before / PROGRESS_EVERY)) {
          const last = batch.shape[batch.shape.length - 2] ?? 0;
          onProgress?.({ kind: 'rows', table: BACKUP_TABLES[last] ?? 'messages', rows: total });
        }
      }
      // Only now has the file proven authentic and complete.
      const accountUuid = content.finish();
      disableAccount(db, accountUuid);
      const counts = inserter.counts;
      const result: ImportResult = {
        file,
        jid: header.jid,
        app: header.app,
        format: header.version,
        createdAt: headerTime(header.timestamp),
        accountUuid,
        counts,
        conversations: counts.conversations,
        messages: counts.messages,
        omemoKeys: OMEMO_TABLES.reduce((sum, t) => sum + counts[t], 0),
        addedColumns: inserter.addedColumns,
        missingMedia: media.result(db, accountUuid),
      };
      tx.commit();
      onProgress?.({ kind: 'committed', rows: total });
      return result;
    } catch (err) {
      tx.rollback();
      throw err;
    }
  } finally {
    bulk?.end();
    if (connection === undefined) db.close();
  }
}
