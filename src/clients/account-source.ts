import type Database from 'better-sqlite3';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBackup } from '../format/index.js';
import type { BackupHeader } from '../format/types.js';
import { findAccountByJid, listAccounts, accountJid, type AccountRow } from '../store/accounts.js';
import { BackupRowInserter } from '../store/backup-rows.js';
import { openProfileDatabase, profileDatabasePath } from '../store/profile.js';
import { createScratchDatabase } from '../store/scratch-database.js';
import { beginTransaction, inTransaction } from '../store/transactions.js';
import { ClientError } from './errors.js';

/**
 * Where the account to hand to another client comes from: a Conversations backup file, or an
 * account of a ferry profile (`--account JID`) — the same two sources as the other exports.
 */
export type AccountSourceSpec =
  | { kind: 'backup'; file: string; password: string }
  | { kind: 'profile'; profileDir: string; jid: string };

/**
 * One account in Conversations' tables, whole (keys and password included), for a client writer
 * to read from: `db` holds at least this account's rows; read them inside the snapshot it gives.
 * `close()` ends the snapshot and removes any scratch copy.
 */
export interface SourceAccount {
  db: Database.Database;
  account: AccountRow;
  jid: string;
  /** The backup's header when the source is a `.ceb`. */
  header?: BackupHeader;
  spec: AccountSourceSpec;
  close(): void;
}

/**
 * Opens the account of `spec`. A backup is decrypted into a scratch database in a private
 * temporary folder (mode 0700, removed by `close()`), committed only after the file authenticated;
 * a profile is read in one read transaction (a consistent snapshot) without taking its lock.
 */
export interface AccountSourceOptions {
  onRow?(rows: number): void;
  /**
   * Where a backup's scratch database goes (a private folder inside it, removed by `close()`):
   * best beside the target, on the same disk; default the system's temporary folder.
   */
  scratchDir?: string;
}

export async function openAccountSource(
  spec: AccountSourceSpec,
  opts: AccountSourceOptions = {},
): Promise<SourceAccount> {
  return spec.kind === 'backup' ? openBackupSource(spec, opts) : openProfileSource(spec);
}

async function openBackupSource(
  spec: Extract<AccountSourceSpec, { kind: 'backup' }>,
  opts: AccountSourceOptions,
): Promise<SourceAccount> {
  const { header, rows } = await openBackup(spec.file, spec.password);
  const parent = opts.scratchDir ?? tmpdir();
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(join(parent, '.ferry-source-')); // mode 0700
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  let db: Database.Database | undefined;
  try {
    // Private before anything is in it.
    const scratch = createScratchDatabase(join(dir, 'account.db'));
    db = scratch;
    const inserter = new BackupRowInserter(scratch);
    let n = 0;
    await inTransaction(scratch, async () => {
      for await (const row of rows) {
        inserter.insert(row);
        if (++n % 1000 === 0) opts.onRow?.(n);
      }
    });
    const account = listAccounts(db)[0];
    if (!account) {
      throw new ClientError(
        'no-such-account',
        `the backup of ${header.jid} holds no account`,
        'The file decrypts but is empty; make a new backup on the old device.',
      );
    }
    const opened = db;
    return {
      db: opened,
      account,
      jid: accountJid(account),
      header,
      spec,
      close() {
        if (opened.open) opened.close();
        cleanup();
      },
    };
  } catch (err) {
    if (db?.open) db.close();
    cleanup();
    throw err;
  }
}

function openProfileSource(spec: Extract<AccountSourceSpec, { kind: 'profile' }>): SourceAccount {
  if (!existsSync(profileDatabasePath(spec.profileDir))) {
    throw new ClientError(
      'no-such-account',
      `there is no profile in ${spec.profileDir}`,
      'Give the profile folder with --profile, or import a backup first.',
    );
  }
  const db = openProfileDatabase(spec.profileDir, { readonly: true });
  try {
    const account = findAccountByJid(db, spec.jid);
    if (!account) {
      const known = listAccounts(db).map(accountJid).join(', ');
      throw new ClientError(
        'no-such-account',
        `there is no account ${spec.jid} in this profile`,
        known ? `Accounts here: ${known}.` : 'This profile has no accounts; import a backup first.',
      );
    }
    const snapshot = beginTransaction(db); // one snapshot for everything the writer reads
    return {
      db,
      account,
      jid: accountJid(account),
      spec,
      close() {
        if (db.open) {
          snapshot.commit();
          db.close();
        }
      },
    };
  } catch (err) {
    db.close();
    throw err;
  }
}
