import type Database from 'better-sqlite3';
import { existsSync, mkdirSync, renameSync, rmSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { openBackup, syncFileNow, syncFolderNow } from '../format/index.js';
import { openProfileDatabase, profileDatabasePath } from '../store/profile.js';
import { readBackupRows } from '../store/backup-rows.js';
import { closeForKeeping, countConversations, countMessages } from '../store/scratch-database.js';
import { inTransaction } from '../store/transactions.js';
import { listDatabaseAccounts, type AccountSummary } from './account-reader.js';
import { checkAccountFolder, checkReplaceableFile } from './account-folder.js';
import { ExportError } from './errors.js';
import { safeSegment } from './path-names.js';
import { createExportDatabase, fillExportDatabase } from './staging-database.js';
import { renderAccount, type ExportOptions, type ExportResult } from './render-account.js';
import { TimeZoneError, ZonedClock } from './zoned-time.js';

function clockFor(timeZone: string | undefined): ZonedClock {
  try {
    return new ZonedClock(timeZone);
  } catch (err) {
    if (err instanceof TimeZoneError) {
      throw new ExportError(err.message, 'Give an IANA zone name such as Europe/Berlin or UTC.');
    }
    throw err;
  }
}

/** Fails early (before the backup is read) when the export could not replace what is there. */
function checkTarget(opts: ExportOptions, accountJid: string): void {
  const name = safeSegment(accountJid);
  if (opts.format === 'txt' || opts.format === 'html') {
    checkAccountFolder(join(opts.outDir, name), opts.format);
  } else {
    checkReplaceableFile(join(opts.outDir, `${name}.${opts.format}`));
  }
}

function tempName(dir: string, base: string): string {
  return join(dir, `.${base}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/**
 * Exports a `.ceb` file: its rows are streamed into a scratch database (committed only after the
 * file authenticated), which is then rendered — or, for `sqlite`, kept as the export.
 */
export async function exportBackupFile(
  file: string,
  password: string,
  opts: ExportOptions,
): Promise<ExportResult> {
  const clock = clockFor(opts.timeZone);
  const { header, rows } = await openBackup(file, password);
  checkTarget(opts, header.jid);
  mkdirSync(opts.outDir, { recursive: true });
  const stagingPath = tempName(opts.outDir, 'ferry-export');
  const db = createExportDatabase(stagingPath);
  let kept = false;
  try {
    await fillExportDatabase(db, rows, {
      formatVersion: header.version,
      withSecrets: opts.format === 'sqlite' && opts.withSecrets === true,
      onRow: (done) => opts.onProgress?.({ stage: 'reading', done }),
    });
    const accounts = listDatabaseAccounts(db);
    const account = accounts[0];
    if (!account) {
      throw new ExportError(
        `the backup of ${header.jid} holds no account`,
        'The file decrypts but is empty; make a new backup on the old device.',
      );
    }
    if (opts.format === 'sqlite') {
      const conversations = countConversations(db);
      const messages = countMessages(db);
      closeForKeeping(db);
      const target = join(opts.outDir, `${safeSegment(account.jid)}.sqlite`);
      checkReplaceableFile(target);
      chmodSync(stagingPath, 0o600);
      syncFileNow(stagingPath);
      renameSync(stagingPath, target);
      syncFolderNow(opts.outDir);
      kept = true;
      return { format: 'sqlite', account: account.jid, path: target, conversations, messages };
    }
    return renderAccount(db, account, { ...opts, clock, mediaRoots: opts.mediaDirs ?? [] });
  } finally {
    if (db.open) db.close();
    if (!kept) rmSync(stagingPath, { force: true });
  }
}

/** Exports one account of a ferry profile (read from one consistent snapshot of its database). */
export async function exportProfileAccount(
  profileDir: string,
  jid: string,
  opts: ExportOptions,
): Promise<ExportResult> {
  const clock = clockFor(opts.timeZone);
  if (!existsSync(profileDatabasePath(profileDir))) {
    throw new ExportError(
      `there is no profile in ${profileDir}`,
      'Give the profile folder with --profile, or import a backup first.',
    );
  }
  const db = openProfileDatabase(profileDir, { readonly: true });
  try {
    const wanted = jid.trim().toLowerCase();
    const accounts = listDatabaseAccounts(db);
    const account = accounts.find((a) => a.jid.toLowerCase() === wanted);
    if (!account) {
      const known = accounts.map((a) => a.jid).join(', ');
      throw new ExportError(
        `there is no account ${jid} in this profile`,
        known ? `Accounts here: ${known}.` : 'This profile has no accounts; import a backup first.',
      );
    }
    checkTarget(opts, account.jid);
    mkdirSync(opts.outDir, { recursive: true });
    // One snapshot for all the queries.
    return await inTransaction(db, async () => {
      if (opts.format === 'sqlite') return await copyAccountDatabase(db, account, opts);
      // The profile's media folder (src/migration/media/layout.ts): PROFILE/Media, shared by accounts.
      const mediaRoots = [...(opts.mediaDirs ?? []), join(profileDir, 'Media')];
      return renderAccount(db, account, { ...opts, clock, mediaRoots });
    });
  } finally {
    db.close();
  }
}

async function copyAccountDatabase(
  source: Database.Database,
  account: AccountSummary,
  opts: ExportOptions,
): Promise<ExportResult> {
  const target = join(opts.outDir, `${safeSegment(account.jid)}.sqlite`);
  checkReplaceableFile(target);
  const stagingPath = tempName(opts.outDir, 'ferry-export');
  const db = createExportDatabase(stagingPath);
  let kept = false;
  try {
    const r = await fillExportDatabase(db, readBackupRows(source, account.uuid), {
      formatVersion: 2,
      withSecrets: opts.withSecrets === true,
      onRow: (done) => opts.onProgress?.({ stage: 'reading', done }),
    });
    const conversations = countConversations(db);
    closeForKeeping(db);
    chmodSync(stagingPath, 0o600);
    syncFileNow(stagingPath);
    renameSync(stagingPath, target);
    syncFolderNow(opts.outDir);
    kept = true;
    return {
      format: 'sqlite',
      account: account.jid,
      path: target,
      conversations,
      messages: r.messages,
    };
  } finally {
    if (db.open) db.close();
    if (!kept) rmSync(stagingPath, { force: true });
  }
}
