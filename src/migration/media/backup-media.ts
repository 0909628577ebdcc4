import { access } from 'node:fs/promises';
import { basename } from 'node:path';
import { findAccountByUuid } from '../../store/accounts.js';
import type { Profile } from '../../store/profile.js';
import type { CreateBackupOptions } from '../create-backup.js';
import type { ImportOptions } from '../import-backup.js';
import { mediaAccounts } from '../../store/file-messages.js';
import { findMissingMedia, type MissingMedia } from '../missing-media.js';
import { CompanionNotRecognisedError } from './errors.js';
import { createMediaCompanion } from './create-media.js';
import { companionPathFor, mediaFolder } from './layout.js';
import { restoreMedia, type RestoreMediaResult } from './restore.js';
import type { CompanionSummary, MediaImportSummary } from './summary.js';

export type {
  CompanionSummary,
  MediaImportFailure,
  MediaImportOutcome,
  MediaImportSummary,
} from './summary.js';

/**
 * The media steps of the backup flows, for the CLI and the web app: after `backup create` write the
 * companion; after `backup import` restore it and say what is still missing.
 */

function storedPassword(profile: Profile, accountUuid: string): string {
  const password: unknown = findAccountByUuid(profile.db, accountUuid)?.password;
  return typeof password === 'string' ? password : '';
}

/**
 * Writes `<backup>.media` beside an account's fresh backup, sealed with the same password the
 * backup is (the account's stored password).
 */
export async function writeCompanionForBackup(
  profile: Profile,
  backup: { jid: string; accountUuid: string; file: string },
  opts: { iterations?: number; onProgress?(event: { file: string; bytesDone: number }): void } = {},
): Promise<CompanionSummary> {
  const created = await createMediaCompanion(
    profile.dir,
    profile.db,
    { uuid: backup.accountUuid, jid: backup.jid },
    backup.file,
    storedPassword(profile, backup.accountUuid),
    opts,
  );
  return {
    file: created.path,
    bytes: created.bytes,
    files: created.entries.length,
    notOnThisDevice: created.missing,
  };
}

/** The companion to use for a backup file: the one given, else `<backup>.media` if it exists. */
export async function companionFor(backupFile: string, given?: string): Promise<string | null> {
  if (given !== undefined) {
    await access(given).catch(() => {
      throw new CompanionNotRecognisedError(given, 'cannot be read (no such file?)');
    });
    return given;
  }
  const beside = companionPathFor(backupFile);
  return (await access(beside).then(
    () => true,
    () => false,
  ))
    ? beside
    : null;
}

/**
 * Restores the companion of an imported backup into the profile's media folder (never overwriting
 * a different file). The password is the account's stored one — the backup's password.
 */
export async function restoreCompanionForImport(
  profile: Profile,
  imported: { accountUuid: string },
  companion: string,
  opts: { onProgress?(event: { file: string; bytesDone: number }): void } = {},
): Promise<MediaImportSummary> {
  const result: RestoreMediaResult = await restoreMedia(
    companion,
    storedPassword(profile, imported.accountUuid),
    mediaFolder(profile.dir),
    opts,
  );
  return { companion, ...result };
}

/**
 * Messages of an account whose files are not on this device, in the shape the import reports: one
 * streaming pass over its messages (after a companion restored files, say).
 */
export function missingMediaOf(profile: Profile, jid: string): MissingMedia {
  const account = mediaAccounts(profile.db).find((a) => a.jid.toLowerCase() === jid.toLowerCase());
  if (account === undefined) return { count: 0, folder: mediaFolder(profile.dir), examples: [] };
  return findMissingMedia(profile.db, account.uuid, profile);
}

export function describeMediaImport(summary: MediaImportSummary): string[] {
  const lines = [
    `  media from ${basename(summary.companion ?? '')}: ${summary.restored.length} restored, ` +
      `${summary.alreadyPresent.length} already here, ${summary.conflicts.length} kept (a different file was already there), ` +
      `${summary.damaged.length} damaged`,
  ];
  for (const c of summary.conflicts)
    lines.push(`    kept the existing file, not the backup's: ${c}`);
  for (const d of summary.damaged)
    lines.push(`    lost (damaged companion): ${d.path ?? 'unknown files'} — ${d.reason}`);
  for (const r of summary.refused) lines.push(`    refused (path leaves the media folder): ${r}`);
  return lines;
}

/**
 * Options for `createBackups` that write each backup's media companion (`--with-media`); the summary
 * is the written backup's `media`. For callers without their own reporting (the web app).
 */
export function companionAfterBackup(): Pick<CreateBackupOptions, 'afterBackup'> {
  return {
    afterBackup: async (written, profile) => {
      written.media = await writeCompanionForBackup(profile, written);
    },
  };
}

/**
 * Options for `importBackup` that restore the companion beside the backup (or `given`) after the
 * import committed, and recount what is still missing. The summary (or the error: the chats are
 * imported either way) is the result's `media`.
 */
export function companionAfterImport(given?: string): Pick<ImportOptions, 'afterImport'> {
  return {
    afterImport: async (result, profile) => {
      const companion = await companionFor(result.file, given).catch(() => null);
      if (companion === null) return;
      try {
        result.media = await restoreCompanionForImport(profile, result, companion);
      } catch (err) {
        result.media = { companion, error: err instanceof Error ? err.message : String(err) };
      }
      result.missingMedia = missingMediaOf(profile, result.jid);
    },
  };
}
