import type Database from 'better-sqlite3';
import { accountFileMessages, mediaAccounts, type FileMessage } from '../../store/file-messages.js';
import { UnsafeMediaPathError } from './errors.js';
import { findMediaFile, mediaFilePath } from './layout.js';

export interface MissingMediaFile extends FileMessage {
  account: string;
  /** Where the file is expected on this device (null when the path is unsafe). */
  expectedAt: string | null;
}

export interface MediaCheckResult {
  accounts: string[];
  /** Messages that point to a file. */
  checked: number;
  missing: MissingMediaFile[];
}

/**
 * Which messages point to files that are not on this device (at the place layout.ts gives them).
 * `account` limits the check to one bare JID.
 */
export function checkMedia(
  profileDir: string,
  db: Database.Database,
  opts: { account?: string } = {},
): MediaCheckResult {
  const accounts = mediaAccounts(db).filter(
    (a) => opts.account === undefined || a.jid.toLowerCase() === opts.account.toLowerCase(),
  );
  const result: MediaCheckResult = {
    accounts: accounts.map((a) => a.jid),
    checked: 0,
    missing: [],
  };
  for (const account of accounts) {
    const present = new Map<string, string | null>();
    for (const message of accountFileMessages(db, account.uuid)) {
      result.checked += 1;
      let expectedAt = present.get(message.relativeFilePath);
      if (expectedAt === undefined) {
        try {
          expectedAt =
            findMediaFile(profileDir, message.relativeFilePath) !== null
              ? null
              : mediaFilePath(profileDir, message.relativeFilePath);
        } catch (err) {
          if (!(err instanceof UnsafeMediaPathError)) throw err;
          expectedAt = '';
        }
        present.set(message.relativeFilePath, expectedAt);
      }
      if (expectedAt !== null) {
        result.missing.push({
          ...message,
          account: account.jid,
          expectedAt: expectedAt === '' ? null : expectedAt,
        });
      }
    }
  }
  return result;
}
