import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { syncFolder, writeBackupFile } from '@ferry/ceb-format';
import type { BackupTable } from '@ferry/ceb-format/header';
import {
  accountJid,
  findAccountByJid,
  hasStoredPassword,
  isAccountEnabled,
  listAccounts,
  setAccountEnabled,
  type AccountRow,
} from '../store/accounts.js';
import { countBackupRows, readBackupItems, type BackupRowCounts } from '../store/backup-rows.js';
import { AccountNotFoundError } from '../store/errors.js';
import { withProfileLock } from '../store/lock.js';
import { openProfileDatabase, profileBackupDir, type Profile } from '../store/profile.js';
import { beginTransaction, type Transaction } from '../store/transactions.js';
import { backupFileName } from './backup-file-name.js';
import { pruneBackups, removeStaleTempFiles } from './retention.js';
import type { CompanionSummary } from './media/summary.js';

export const DEFAULT_KEEP = 3;

export type CreateBackupEvent =
  | { kind: 'account-start'; jid: string; index: number; total: number; rows: number }
  | { kind: 'rows'; jid: string; table: BackupTable; done: number; total: number }
  | { kind: 'account-done'; jid: string; file: string; bytes: number }
  | { kind: 'skipped'; jid: string; reason: string };

export interface WrittenBackup {
  jid: string;
  accountUuid: string;
  file: string;
  bytes: number;
  format: 1 | 2;
  counts: BackupRowCounts;
  /** Older backups of this account removed by retention. */
  deleted: string[];
  /** The media companion written beside it, when the media step ran (`--with-media`). */
  media?: CompanionSummary;
}

export interface CreateBackupOptions {
  outDir?: string;
  format?: 1 | 2;
  /** How many backups per account to keep in the folder, the new one included (default 3). */
  keep?: number;
  /** Disable the accounts before backing them up (the seed's step 1.2). */
  deactivate?: boolean;
  /** Only these accounts (bare JIDs); default all. */
  accounts?: string[];
  onProgress?(event: CreateBackupEvent): void;
  /**
   * Called after each account's file is in place, still under the profile lock — the hook for
   * extra steps such as copying the account's media next to the backup.
   */
  afterBackup?(written: WrittenBackup, profile: Profile): Promise<void> | void;
  /** The time to stamp the files with (tests); default now. */
  now?: Date;
}

export interface CreateBackupResult {
  outDir: string;
  written: WrittenBackup[];
  skipped: { jid: string; reason: string }[];
  /** Accounts disabled by `deactivate`. */
  deactivated: string[];
  /** Accounts that were backed up while still enabled (the user was warned). */
  stillEnabled: string[];
}

const PROGRESS_EVERY = 2000;

/** Passes the items on, telling `onProgress` about every {@link PROGRESS_EVERY} rows and the last. */
function* withProgress<R extends { table: BackupTable; rows?: number }>(
  items: Iterable<R>,
  jid: string,
  total: number,
  onProgress: CreateBackupOptions['onProgress'],
): Generator<R> {
  let done = 0;
  let next = PROGRESS_EVERY;
  for (const item of items) {
    yield item;
    done += item.rows ?? 1;
    if (onProgress && (done >= next || done === total)) {
      onProgress({ kind: 'rows', jid, table: item.table, done, total });
      next = (Math.floor(done / PROGRESS_EVERY) + 1) * PROGRESS_EVERY;
    }
  }
}

function selectAccounts(profile: Profile, wanted: string[] | undefined): AccountRow[] {
  if (!wanted || wanted.length === 0) return listAccounts(profile.db);
  return wanted.map((jid) => {
    const row = findAccountByJid(profile.db, jid);
    if (!row) throw new AccountNotFoundError(jid);
    return row;
  });
}

/**
 * Step 1 of a move: one encrypted backup file per account, as Conversations makes them. Runs under
 * the profile lock; each file appears atomically (the format library writes a temporary file,
 * fsyncs and renames) with mode 0600.
 */
export async function createBackups(
  profile: Profile,
  opts: CreateBackupOptions = {},
): Promise<CreateBackupResult> {
  const outDir = resolve(opts.outDir ?? profileBackupDir(profile.dir));
  const format = opts.format ?? 2;
  const keep = opts.keep ?? DEFAULT_KEEP;
  if (!Number.isInteger(keep) || keep < 1) throw new RangeError('keep must be a whole number ≥ 1');

  return withProfileLock(profile, 'backup create', async () => {
    const accounts = selectAccounts(profile, opts.accounts);
    const result: CreateBackupResult = {
      outDir,
      written: [],
      skipped: [],
      deactivated: [],
      stillEnabled: [],
    };
    const eligible: AccountRow[] = [];
    for (const account of accounts) {
      const jid = accountJid(account);
      if (!hasStoredPassword(account)) {
        const reason = 'no password is stored for this account, and a backup is encrypted with it';
        result.skipped.push({ jid, reason });
        opts.onProgress?.({ kind: 'skipped', jid, reason });
        continue;
      }
      if (isAccountEnabled(account)) {
        if (opts.deactivate) {
          setAccountEnabled(profile.db, jid, false);
          result.deactivated.push(jid);
        } else {
          result.stillEnabled.push(jid);
        }
      }
      eligible.push(account);
    }
    if (eligible.length > 0) await mkdir(outDir, { recursive: true, mode: 0o700 });

    const when = opts.now ?? new Date();
    for (const [index, account] of eligible.entries()) {
      const jid = accountJid(account);
      const file = join(outDir, backupFileName(jid, when));
      await removeStaleTempFiles(outDir, jid);
      // A connection of its own, in one read transaction: a consistent snapshot of the account.
      const db = openProfileDatabase(profile.dir, { readonly: true });
      let bytes: number;
      let counts: BackupRowCounts;
      let snapshot: Transaction | undefined;
      try {
        snapshot = beginTransaction(db);
        counts = countBackupRows(db, account.uuid);
        const total = Object.values(counts).reduce((a, b) => a + b, 0);
        opts.onProgress?.({
          kind: 'account-start',
          jid,
          index,
          total: eligible.length,
          rows: total,
        });
        ({ bytes } = await writeBackupFile(
          file,
          {
            jid,
            password: account.password ?? '',
            version: format,
            timestamp: BigInt(when.getTime()),
          },
          withProgress(readBackupItems(db, account.uuid, format), jid, total, opts.onProgress),
        ));
      } finally {
        snapshot?.commit();
        db.close();
      }
      const deleted = await pruneBackups(outDir, jid, keep, file);
      await syncFolder(outDir);
      const written: WrittenBackup = {
        jid,
        accountUuid: account.uuid,
        file,
        bytes,
        format,
        counts,
        deleted,
      };
      result.written.push(written);
      opts.onProgress?.({ kind: 'account-done', jid, file, bytes });
      await opts.afterBackup?.(written, profile);
    }
    return result;
  });
}
