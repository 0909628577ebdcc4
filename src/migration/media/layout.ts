import { isAbsolute, join, normalize, sep } from 'node:path';
import { UnsafeMediaPathError } from './errors.js';

/**
 * Where a profile keeps the files its messages point to.
 *
 * A message's `relativeFilePath` (Conversations' column) is either relative (`IMG_1234.jpg`,
 * `Conversations Documents/report.pdf`) or an absolute Android path
 * (`/storage/emulated/0/Conversations/Media/…`). On a ferry profile both live below one folder per
 * account:
 *
 *   PROFILE/media/<bare-jid>/<relativeFilePath without leading slashes>
 *
 * so `IMG_1234.jpg` of alice@example.org is `PROFILE/media/alice@example.org/IMG_1234.jpg` and the
 * absolute path above is `PROFILE/media/alice@example.org/storage/emulated/0/Conversations/Media/…`.
 * Copying files by hand into those places is the same as restoring them from a media companion.
 */
export function mediaFolder(profileDir: string, accountJid: string): string {
  if (accountJid === '' || accountJid.includes('/') || accountJid.includes('\\') || accountJid.startsWith('.')) {
    throw new UnsafeMediaPathError(accountJid, 'not a bare JID');
  }
  return join(profileDir, 'media', accountJid);
}

/** The path inside the account's media folder that a message's `relativeFilePath` maps to. */
export function mediaRelativeLocation(relativeFilePath: string): string {
  if (relativeFilePath === '' || relativeFilePath.includes('\0')) {
    throw new UnsafeMediaPathError(relativeFilePath, 'empty or contains NUL');
  }
  const stripped = relativeFilePath.replace(/^\/+/, '');
  const parts = stripped.split('/');
  if (stripped === '' || parts.some((p) => p === '..' || p === '.' || p === '')) {
    throw new UnsafeMediaPathError(relativeFilePath, 'contains an empty, "." or ".." segment');
  }
  const local = normalize(parts.join(sep));
  if (isAbsolute(local) || local.startsWith('..')) {
    throw new UnsafeMediaPathError(relativeFilePath, 'leaves the media folder');
  }
  return local;
}

/** The absolute location on this device of the file a message's `relativeFilePath` points to. */
export function mediaFilePath(profileDir: string, accountJid: string, relativeFilePath: string): string {
  return join(mediaFolder(profileDir, accountJid), mediaRelativeLocation(relativeFilePath));
}

/** The media companion that belongs to a backup file: `<backup>.media` next to it. */
export function companionPathFor(backupPath: string): string {
  return `${backupPath}.media`;
}

export const COMPANION_SUFFIX = '.media';
