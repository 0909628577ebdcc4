import { MAX_HEADER_LENGTH, parseHeader, readHeader } from '@ferry/ceb-format';
import type { BackupHeader } from '@ferry/ceb-format/header';
import { access } from 'node:fs/promises';
import { RemoteStorageError, toRemoteError } from './errors.js';
import { ensureFolder, listFolder, remotePath, type RemoteFolder } from './folder.js';
import {
  downloadVerified,
  isUploadTempName,
  readRemoteStart,
  uploadVerified,
  type TransferProgress,
  type TransferResult,
} from './transfer.js';

const COMPANION_SUFFIX = '.media';
const HEADER_PROBE = 4096;

/** A backup file in a remote folder, its header read with a ranged GET. */
export interface RemoteBackup {
  name: string;
  size: number;
  lastModified: string;
  /** Null when the first bytes are not a backup header; `problem` says why. */
  header: Pick<BackupHeader, 'version' | 'app' | 'jid' | 'timestamp'> | null;
  problem?: string;
  /** The media companion beside it (`<name>.media`), if any. */
  companion: { name: string; size: number } | null;
}

/** The `.ceb` files in the folder, newest first (by header timestamp, then name). */
export async function listRemoteBackups(folder: RemoteFolder): Promise<RemoteBackup[]> {
  const files = await listFolder(folder);
  const byName = new Map(files.map((f) => [f.basename, f]));
  const backups: RemoteBackup[] = [];
  for (const file of files) {
    if (!file.basename.endsWith('.ceb')) continue;
    const companion = byName.get(file.basename + COMPANION_SUFFIX);
    const entry: RemoteBackup = {
      name: file.basename,
      size: file.size,
      lastModified: file.lastmod,
      header: null,
      companion: companion ? { name: companion.basename, size: companion.size } : null,
    };
    try {
      const { version, app, jid, timestamp } = await readRemoteHeader(
        folder,
        file.basename,
        file.size,
      );
      entry.header = { version, app, jid, timestamp };
    } catch (err) {
      if (err instanceof RemoteStorageError) throw err;
      entry.problem = err instanceof Error ? err.message : String(err);
    }
    backups.push(entry);
  }
  return backups.sort(
    (a, b) =>
      Number((b.header?.timestamp ?? 0n) - (a.header?.timestamp ?? 0n)) ||
      a.name.localeCompare(b.name),
  );
}

async function readRemoteHeader(
  folder: RemoteFolder,
  name: string,
  size: number,
): Promise<BackupHeader> {
  const first = await readRemoteStart(folder, name, Math.min(HEADER_PROBE, Math.max(size, 1)));
  try {
    return parseHeader(first).header;
  } catch (err) {
    if (size <= HEADER_PROBE) throw err;
    const more = await readRemoteStart(folder, name, Math.min(MAX_HEADER_LENGTH, size));
    return parseHeader(more).header;
  }
}

export interface PushOptions {
  /** Keep only the newest N backups of each pushed account in the remote folder. */
  keep?: number;
  onProgress?(p: TransferProgress): void;
}

export interface PushResult {
  folder: string;
  uploaded: TransferResult[];
  /** Remote files deleted by `keep`. */
  deleted: string[];
}

/**
 * Pushes backup files (and the media companion beside each, when there is one) into a WebDAV folder,
 * creating it when needed; every upload is read back and compared. With `keep`, older backups of
 * the same accounts in that folder are deleted afterwards (only files whose header names the account).
 */
export async function pushBackups(
  folder: RemoteFolder,
  files: string[],
  opts: PushOptions = {},
): Promise<PushResult> {
  const jids = new Set<string>();
  const plan: string[] = [];
  for (const file of files) {
    const { header } = await readHeader(file);
    jids.add(header.jid.toLowerCase());
    plan.push(file);
    const companion = file + COMPANION_SUFFIX;
    if (
      await access(companion).then(
        () => true,
        () => false,
      )
    )
      plan.push(companion);
  }
  await ensureFolder(folder);
  await removeStaleUploads(folder);
  const uploaded: TransferResult[] = [];
  for (const file of plan) uploaded.push(await uploadVerified(folder, file, opts.onProgress));
  const deleted: string[] = [];
  if (opts.keep !== undefined) {
    const pushedNames = new Set(uploaded.map((u) => u.name));
    deleted.push(...(await pruneRemoteBackups(folder, jids, opts.keep, pushedNames)));
  }
  return { folder: folder.display, uploaded, deleted };
}

/** Upload temp files left by an interrupted earlier push (names only ferry uses). */
async function removeStaleUploads(folder: RemoteFolder): Promise<void> {
  for (const file of await listFolder(folder)) {
    if (isUploadTempName(file.basename)) {
      await folder.client.deleteFile(remotePath(folder, file.basename)).catch(() => undefined);
    }
  }
}

/** Deletes all but the newest `keep` backups of each account (and their companions). */
export async function pruneRemoteBackups(
  folder: RemoteFolder,
  jids: Set<string>,
  keep: number,
  protect: Set<string> = new Set(),
): Promise<string[]> {
  const backups = await listRemoteBackups(folder);
  const deleted: string[] = [];
  for (const jid of jids) {
    const mine = backups.filter((b) => b.header?.jid.toLowerCase() === jid);
    for (const backup of mine.slice(Math.max(keep, 0))) {
      if (protect.has(backup.name)) continue;
      for (const name of [backup.name, ...(backup.companion ? [backup.companion.name] : [])]) {
        try {
          await folder.client.deleteFile(remotePath(folder, name));
          deleted.push(name);
        } catch (err) {
          throw toRemoteError(err, `deleting the old backup ${name}`, folder.display);
        }
      }
    }
  }
  return deleted;
}

export interface PullOptions {
  outDir: string;
  /** Every backup in the folder; default: the newest of each account. */
  all?: boolean;
  /** Only these accounts (bare JIDs). */
  accounts?: string[];
  onProgress?(p: TransferProgress): void;
}

export interface PullResult {
  folder: string;
  downloaded: (TransferResult & { path: string })[];
}

/** Downloads backups (with their media companions) from the folder into `outDir`. */
export async function pullBackups(folder: RemoteFolder, opts: PullOptions): Promise<PullResult> {
  const wanted = opts.accounts?.map((a) => a.toLowerCase());
  const backups = (await listRemoteBackups(folder)).filter(
    (b) =>
      b.header !== null && (wanted === undefined || wanted.includes(b.header.jid.toLowerCase())),
  );
  const chosen: RemoteBackup[] = [];
  const seen = new Set<string>();
  for (const backup of backups) {
    const jid = backup.header?.jid.toLowerCase() ?? '';
    if (!opts.all && seen.has(jid)) continue;
    seen.add(jid);
    chosen.push(backup);
  }
  if (chosen.length === 0) {
    throw new RemoteStorageError(
      'not-found',
      `no backup${wanted ? ' of that account' : ''} in ${folder.display}`,
      'Check the URL with `ferry backup list --from URL`.',
    );
  }
  const downloaded: PullResult['downloaded'] = [];
  for (const backup of chosen) {
    downloaded.push(
      await downloadVerified(folder, backup.name, backup.size, opts.outDir, opts.onProgress),
    );
    if (backup.companion) {
      downloaded.push(
        await downloadVerified(
          folder,
          backup.companion.name,
          backup.companion.size,
          opts.outDir,
          opts.onProgress,
        ),
      );
    }
  }
  return { folder: folder.display, downloaded };
}
