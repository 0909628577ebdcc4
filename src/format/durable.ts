/**
 * Durability for files written atomically (temporary file → fsync → rename → fsync of the folder).
 * Used by the backup writer here and by every other part of ferry that writes files.
 */
import { closeSync, fsyncSync, openSync } from 'node:fs';
import { open } from 'node:fs/promises';

/** Flushes a file's content to disk (through a fresh descriptor: Linux syncs the file, not the fd). */
export async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Makes a folder's entries (a rename, a deletion) durable; best effort where unsupported. */
export async function syncFolder(dir: string): Promise<void> {
  try {
    await syncFile(dir);
  } catch {
    // Some file systems cannot fsync a folder; the rename itself is still atomic.
  }
}

/** `syncFile` for synchronous code. */
export function syncFileNow(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** `syncFolder` for synchronous code. */
export function syncFolderNow(dir: string): void {
  try {
    syncFileNow(dir);
  } catch {
    // Some file systems cannot fsync a folder; the rename itself is still atomic.
  }
}
