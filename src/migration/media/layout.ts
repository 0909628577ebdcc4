import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, normalize, sep } from 'node:path';
import { UnsafeMediaPathError } from './errors.js';

/**
 * Where a profile keeps the files its messages point to: one folder, `PROFILE/Media/`, shared by
 * the profile's accounts — as Conversations keeps one media folder on the phone.
 *
 * A message's `relativeFilePath` (Conversations' column) is either relative to the app's media
 * folder (`IMG_1234.jpg`, `Conversations Documents/report.pdf`) or an absolute path on the phone
 * (`/storage/emulated/0/Conversations/Media/Conversations Images/x.jpg`). On this device:
 *
 * - relative: `PROFILE/Media/<relativeFilePath>`;
 * - absolute with a `Media` folder in it: `PROFILE/Media/<what follows the last /Media/>`, so the
 *   example is `PROFILE/Media/Conversations Images/x.jpg` — where a person copying the phone's
 *   `Conversations/Media` folder by hand puts it;
 * - other absolute paths: `PROFILE/Media/<the path without its leading slash>`.
 *
 * Copying files by hand into those places is the same as restoring them from a media companion.
 * An absolute path that exists as it is on this computer also counts as present (findMediaFile).
 */
export const MEDIA_FOLDER_NAME = 'Media';

export function mediaFolder(profileDir: string): string {
  return join(profileDir, MEDIA_FOLDER_NAME);
}

/** The path inside the media folder that a message's `relativeFilePath` maps to. */
export function mediaRelativeLocation(relativeFilePath: string): string {
  if (relativeFilePath === '' || relativeFilePath.includes('\0')) {
    throw new UnsafeMediaPathError(relativeFilePath, 'empty or contains NUL');
  }
  let parts = relativeFilePath.split('/');
  if (relativeFilePath.startsWith('/')) {
    parts = parts.filter((p) => p !== '');
    const media = parts.lastIndexOf(MEDIA_FOLDER_NAME);
    if (media >= 0 && media < parts.length - 1) parts = parts.slice(media + 1);
  }
  if (parts.length === 0 || parts.some((p) => p === '..' || p === '.' || p === '')) {
    throw new UnsafeMediaPathError(relativeFilePath, 'contains an empty, "." or ".." segment');
  }
  const local = normalize(parts.join(sep));
  if (isAbsolute(local) || local.startsWith('..')) {
    throw new UnsafeMediaPathError(relativeFilePath, 'leaves the media folder');
  }
  return local;
}

/** The place on this device where the file a message points to belongs. */
export function mediaFilePath(profileDir: string, relativeFilePath: string): string {
  return join(mediaFolder(profileDir), mediaRelativeLocation(relativeFilePath));
}

/**
 * The file a message points to, if this device has it: at its place in the media folder, or — for an
 * absolute path — at that very path. Null when it is in neither.
 */
export function findMediaFile(profileDir: string, relativeFilePath: string): string | null {
  try {
    const place = mediaFilePath(profileDir, relativeFilePath);
    if (isFile(place)) return place;
  } catch (err) {
    if (!(err instanceof UnsafeMediaPathError)) throw err;
  }
  if (relativeFilePath.startsWith('/') && isFile(relativeFilePath)) return relativeFilePath;
  return null;
}

function isFile(path: string): boolean {
  try {
    return existsSync(path) && statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The media companion that belongs to a backup file: `<backup>.media` next to it. */
export function companionPathFor(backupPath: string): string {
  return `${backupPath}${COMPANION_SUFFIX}`;
}

export const COMPANION_SUFFIX = '.media';
