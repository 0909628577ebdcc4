import {
  asConversationsRestoresBatch,
  BackupContentCheck,
  headerTime,
  openBackup,
  readHeader,
} from '@ferry/ceb-format';
import { BACKUP_TABLES, type BackupHeader, type BackupTable } from '@ferry/ceb-format/header';
import { disableAccount, findAccountByJid } from '../store/accounts.js';
import { BackupRowInserter, ImportLedger, type BackupRowCounts } from '../store/backup-rows.js';
import { AccountExistsError } from '../store/errors.js';
import { withProfileLock } from '../store/lock.js';
import { openProfileDatabase, type Profile } from '../store/profile.js';
import { beginTransaction } from '../store/transactions.js';
import { mediaFolder } from './media/layout.js';
import type { MediaImportOutcome } from './media/summary.js';
import {
  expectedMediaPath,
  findMissingMedia,
  MissingMediaTally,
  type LocateMedia,
  type MissingMedia,
} from './missing-media.js';

export { expectedMediaPath, findMissingMedia, type MissingMedia };

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

export interface ImportOptions {
  onProgress?(event: ImportEvent): void;
  /** Where a message's file is expected on this device; default {@link expectedMediaPath}. */
  locateMedia?: LocateMedia;
  /** Called after the import committed, still under the profile lock (e.g. restoring media). */
  afterImport?(result: ImportResult, profile: Profile): Promise<void> | void;
}

/** The profile's folder for message files (see `media/layout.ts`). */
export function profileMediaDir(profile: { dir: string }): string {
  return mediaFolder(profile.dir);
}

/**
 * Reads a backup's header and checks that its account is not on this device yet — what to do
 * before asking for the password.
 */
export async function checkImportable(profile: Profile, file: string): Promise<BackupHeader> {
  const { header } = await readHeader(file);
  if (findAccountByJid(profile.db, header.jid)) throw new AccountExistsError(header.jid);
  return header;
}

const PROGRESS_EVERY = 2000;
const OMEMO_TABLES: BackupTable[] = ['prekeys', 'signed_prekeys', 'sessions', 'identities'];

/**
 * Step 3 of a move: restores one backup file into the profile. The whole file goes in inside one
 * transaction on a connection of its own, committed only after the format library has verified the
 * GCM tag and the gzip trailer; any failure rolls everything back. Refuses an account that already
 * exists ({@link AccountExistsError}); the restored account stays disabled.
 */
export async function importBackup(
  profile: Profile,
  file: string,
  password: string,
  opts: ImportOptions = {},
): Promise<ImportResult> {
  await checkImportable(profile, file);
  return withProfileLock(profile, 'backup import', async () => {
    // A larger page cache than SQLite's 2 MiB for one big transaction (fewer pages spilled to the
    // WAL mid-import), small enough for the import's memory to stay near 150 MiB.
    const db = openProfileDatabase(profile.dir, { cacheKiB: 8192 });
    let result: ImportResult;
    try {
      const opened = await openBackup(file, password);
      const { header } = opened;
      opts.onProgress?.({ kind: 'start', file, jid: header.jid });
      const tx = beginTransaction(db, { immediate: true });
      try {
        if (findAccountByJid(db, header.jid)) throw new AccountExistsError(header.jid);
        const inserter = new BackupRowInserter(db);
        // Uniqueness is left to the database's keys; the ledger asks the database.
        const ledger = new ImportLedger(db, (): string | undefined => content.accountUuid);
        const content: BackupContentCheck = new BackupContentCheck(header, ledger);
        // Counted as the rows go in: no second pass over the messages after the commit.
        const media = new MissingMediaTally(profile, opts.locateMedia);
        let total = 0;
        // Parsed on worker threads while this thread binds and inserts (see parallel-parse.ts).
        for await (const batch of opened.batches({ values: true })) {
          // The same content checks as `verify`, on the whole batch before any of it goes in.
          content.checkBatch(batch);
          inserter.insertBatch(asConversationsRestoresBatch(batch, header.version));
          ledger.inserted();
          media.add(batch);
          const before = total;
          total += batch.shape.length / 2;
          if (Math.floor(total / PROGRESS_EVERY) > Math.floor(before / PROGRESS_EVERY)) {
            const last = batch.shape[batch.shape.length - 2] ?? 0;
            opts.onProgress?.({
              kind: 'rows',
              table: BACKUP_TABLES[last] ?? 'messages',
              rows: total,
            });
          }
        }
        // Only now has the file proven authentic and complete.
        const accountUuid = content.finish();
        disableAccount(db, accountUuid);
        const counts = inserter.counts;
        result = {
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
        opts.onProgress?.({ kind: 'committed', rows: total });
      } catch (err) {
        tx.rollback();
        throw err;
      }
    } finally {
      db.close();
    }
    await opts.afterImport?.(result, profile);
    return result;
  });
}
