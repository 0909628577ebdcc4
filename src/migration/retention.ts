import { readdir, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { readHeader } from '@ferry/ceb-format';
import { parseBackupFileName } from './backup-file-name.js';

/**
 * Keeps the newest `keep` backups of one account in `dir` and deletes older ones; returns the deleted
 * paths. Only files whose name names this account AND whose header names this account are touched;
 * the file just written is never deleted, whatever its date.
 */
export async function pruneBackups(
  dir: string,
  jid: string,
  keep: number,
  justWritten: string,
): Promise<string[]> {
  const candidates: { path: string; time: number }[] = [];
  for (const name of await readdir(dir)) {
    const parsed = parseBackupFileName(name);
    if (!parsed || parsed.jid.toLowerCase() !== jid.toLowerCase()) continue;
    const path = join(dir, name);
    if (resolve(path) === resolve(justWritten)) continue;
    try {
      const { header } = await readHeader(path);
      if (header.jid.toLowerCase() !== jid.toLowerCase()) continue;
      // The date in the name (Conversations 2.13+), else the header's timestamp (older names).
      const time = parsed.when?.getTime() ?? Number(header.timestamp);
      candidates.push({ path, time });
    } catch {
      continue; // not a backup we can read: not ours to delete
    }
  }
  candidates.sort((a, b) => b.time - a.time);
  const doomed = candidates.slice(Math.max(0, keep - 1));
  const deleted: string[] = [];
  for (const { path } of doomed) {
    await unlink(path);
    deleted.push(path);
    // Its media companion (`<backup>.media`, see src/migration/media) goes with it.
    try {
      await unlink(`${path}.media`);
      deleted.push(`${path}.media`);
    } catch {
      // no companion beside it
    }
  }
  return deleted;
}

/**
 * Temporary names while a file is being written: the format library's `.NAME.ceb.<12 hex>.tmp`,
 * and the media companion's `.NAME.ceb.media.<12 hex>.tmp`.
 */
const TEMP_FILE = /^\.(.+\.ceb)(?:\.media)?\.[0-9a-f]{12}\.tmp$/;

/**
 * Removes temporary files a killed `backup create` of this account left in `dir` (a killed process
 * cannot clean up after itself; its half-written file was never renamed into place, so it was never
 * a backup). Returns the removed paths.
 */
export async function removeStaleTempFiles(dir: string, jid: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = TEMP_FILE.exec(name);
    const target = m?.[1] ? parseBackupFileName(m[1]) : undefined;
    if (!target || target.jid.toLowerCase() !== jid.toLowerCase()) continue;
    await unlink(join(dir, name)).catch(() => {});
    removed.push(join(dir, name));
  }
  return removed;
}
