import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import {
  link,
  lstat,
  mkdir,
  open,
  rename,
  unlink,
  utimes,
  type FileHandle,
} from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { openMediaCompanion } from './companion-reader.js';
import { UnsafeMediaPathError } from './errors.js';
import { mediaRelativeLocation } from './layout.js';

export interface RestoreMediaOptions {
  onProgress?(event: { file: string; bytesDone: number }): void;
}

export interface RestoreMediaResult {
  /** relativeFilePaths written to this device. */
  restored: string[];
  /** Already on this device with the same content: left as they are. */
  alreadyPresent: string[];
  /** A different file is already at the place: kept, the companion's copy not written. */
  conflicts: string[];
  /** Lost because the companion is damaged; `path` null when the companion can't tell which. */
  damaged: { path: string | null; reason: string }[];
  /** Paths that would lead outside the media folder: refused. */
  refused: string[];
}

interface Pending {
  entry: number;
  path: string;
  target: string;
  /** Where the bytes go until the entry is verified (null: not written, e.g. refused). */
  temp: string | null;
  handle: FileHandle | null;
  written: number;
}

/**
 * Puts the files of a media companion back into an account's media folder (see layout.ts). Each
 * file is written to a temp file beside its place and moved there only after all its pieces
 * authenticated and its checksum matched; an existing file is never replaced.
 */
export async function restoreMedia(
  companionPath: string,
  password: string,
  accountMediaFolder: string,
  opts: RestoreMediaOptions = {},
): Promise<RestoreMediaResult> {
  const result: RestoreMediaResult = {
    restored: [],
    alreadyPresent: [],
    conflicts: [],
    damaged: [],
    refused: [],
  };
  const companion = await openMediaCompanion(companionPath, password);
  let pending: Pending | null = null;
  let bytesDone = 0;
  const discard = async (): Promise<void> => {
    if (pending === null) return;
    const { handle, temp } = pending;
    pending = null;
    await handle?.close().catch(() => undefined);
    if (temp !== null) await unlink(temp).catch(() => undefined);
  };
  try {
    for await (const event of companion.events()) {
      if (event.type === 'start') {
        await discard();
        let target: string;
        try {
          target = join(accountMediaFolder, mediaRelativeLocation(event.path));
        } catch (err) {
          if (!(err instanceof UnsafeMediaPathError)) throw err;
          result.refused.push(event.path);
          pending = {
            entry: event.entry,
            path: event.path,
            target: '',
            temp: null,
            handle: null,
            written: 0,
          };
          continue;
        }
        await mkdir(dirname(target), { recursive: true, mode: 0o700 });
        const temp = join(
          dirname(target),
          `.${basename(target)}.${randomBytes(6).toString('hex')}.restoring`,
        );
        const handle = await open(temp, 'wx', 0o600);
        pending = { entry: event.entry, path: event.path, target, temp, handle, written: 0 };
      } else if (event.type === 'data') {
        if (pending === null || pending.entry !== event.entry || pending.handle === null) continue;
        let done = 0;
        while (done < event.bytes.length) {
          const { bytesWritten } = await pending.handle.write(
            event.bytes,
            done,
            event.bytes.length - done,
            pending.written + done,
          );
          done += bytesWritten;
        }
        pending.written += event.bytes.length;
        bytesDone += event.bytes.length;
        opts.onProgress?.({ file: pending.path, bytesDone });
      } else if (event.type === 'end') {
        if (
          pending === null ||
          pending.entry !== event.entry ||
          pending.handle === null ||
          pending.temp === null
        ) {
          await discard();
          continue;
        }
        const { handle, temp, target, path } = pending;
        await handle.sync();
        await handle.close();
        pending.handle = null;
        await utimes(temp, new Date(), new Date(event.mtime)).catch(() => undefined);
        const placed = await placeWithoutOverwriting(temp, target);
        if (placed) result.restored.push(path);
        else if ((await sha256Of(target)) === event.sha256) result.alreadyPresent.push(path);
        else result.conflicts.push(path);
        await discard();
      } else {
        if (pending !== null && pending.entry === event.entry) await discard();
        result.damaged.push({ path: event.path, reason: event.reason });
      }
    }
  } finally {
    await discard();
    await companion.close();
  }
  return result;
}

/** Links the verified temp file to its place; false when something is already there. */
async function placeWithoutOverwriting(temp: string, target: string): Promise<boolean> {
  try {
    await link(temp, target);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    // File systems without hard links: check, then rename (a small window, but never a blind replace).
    if (
      (err as NodeJS.ErrnoException).code === 'EPERM' ||
      (err as NodeJS.ErrnoException).code === 'ENOTSUP'
    ) {
      const exists = await lstat(target).then(
        () => true,
        () => false,
      );
      if (exists) return false;
      await rename(temp, target);
      return true;
    }
    throw err;
  }
}

export function sha256Of(path: string): Promise<string | null> {
  return new Promise((resolve) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', () => resolve(null));
  });
}
