import { readHeader } from '@ferry/ceb-format';
import type { BackupHeader } from '@ferry/ceb-format/header';
import { findAccountByJid } from '../store/accounts.js';
import { AccountExistsError } from '../store/errors.js';
import { withProfileLock } from '../store/lock.js';
import type { Profile } from '../store/profile.js';
import { mediaFolder } from './media/layout.js';
import {
  expectedMediaPath,
  findMissingMedia,
  type LocateMedia,
  type MissingMedia,
} from './missing-media.js';
import { restoreRows, type ImportEvent, type ImportResult } from './restore-rows.js';

export {
  expectedMediaPath,
  findMissingMedia,
  type ImportEvent,
  type ImportResult,
  type MissingMedia,
};

export interface ImportOptions {
  onProgress?(event: ImportEvent): void;
  /** Where a message's file is expected on this device; default {@link expectedMediaPath}. */
  locateMedia?: LocateMedia;
  /** Called after the import committed, still under the profile lock (e.g. restoring media). */
  afterImport?(result: ImportResult, profile: Profile): Promise<void> | void;
  /**
   * Nothing else uses `profile.db` while the import runs (the CLI): the import runs on it, so that
   * with no other connection open it can write without the WAL (store/bulk-write.ts).
   */
  soleUser?: boolean;
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

/**
 * Step 3 of a move: restores one backup file into the profile. The whole file goes in inside one
 * transaction on a connection of its own, committed only after the format library has verified the
 * GCM tag and the gzip trailer; any failure rolls everything back (see restore-rows.ts). Refuses an
 * account that already exists ({@link AccountExistsError}); the restored account stays disabled.
 */
export async function importBackup(
  profile: Profile,
  file: string,
  password: string,
  opts: ImportOptions = {},
): Promise<ImportResult> {
  await checkImportable(profile, file);
  return withProfileLock(profile, 'backup import', async () => {
    const result = await restoreRows(profile, file, password, {
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      ...(opts.locateMedia ? { locateMedia: opts.locateMedia } : {}),
      ...(opts.soleUser === true ? { connection: profile.db } : {}),
    });
    await opts.afterImport?.(result, profile);
    return result;
  });
}
