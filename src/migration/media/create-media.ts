import { basename } from 'node:path';
import type Database from 'better-sqlite3';
import { accountFilePaths, type MediaAccount } from '../../store/file-messages.js';
import {
  writeMediaCompanion,
  type CompanionSource,
  type WriteCompanionResult,
} from './companion-writer.js';
import { UnsafeMediaPathError } from './errors.js';
import { companionPathFor, findMediaFile, mediaFilePath } from './layout.js';

export interface CreateMediaCompanionResult extends WriteCompanionResult {
  /** Where the companion was written: `<backup>.media`. */
  path: string;
}

/**
 * Writes the media companion for one account's backup file: every file the account's messages
 * point to, read from the profile's media folder, sealed with the backup's password.
 */
export async function createMediaCompanion(
  profileDir: string,
  db: Database.Database,
  account: MediaAccount,
  backupPath: string,
  password: string,
  opts: { iterations?: number; onProgress?(event: { file: string; bytesDone: number }): void } = {},
): Promise<CreateMediaCompanionResult> {
  const refused: WriteCompanionResult['missing'] = [];
  const sources: CompanionSource[] = [];
  for (const relativeFilePath of accountFilePaths(db, account.uuid)) {
    try {
      const sourcePath =
        findMediaFile(profileDir, relativeFilePath) ?? mediaFilePath(profileDir, relativeFilePath);
      sources.push({ relativeFilePath, sourcePath });
    } catch (err) {
      if (!(err instanceof UnsafeMediaPathError)) throw err;
      refused.push({ relativeFilePath, reason: err.reason });
    }
  }
  const path = companionPathFor(backupPath);
  const written = await writeMediaCompanion(
    path,
    {
      password,
      jid: account.jid,
      backupName: basename(backupPath),
      ...(opts.iterations !== undefined ? { iterations: opts.iterations } : {}),
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    },
    sources,
  );
  return { ...written, missing: [...refused, ...written.missing], path };
}
