import { readdir, realpath, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { headerTime, readHeader } from '@ferry/ceb-format';
import { findAccountByJid } from '../store/accounts.js';
import { profileBackupDir, type Profile } from '../store/profile.js';

export interface FoundBackup {
  path: string;
  /** The folder it was found in. */
  dir: string;
  /** Bare JID of the account (from the header). */
  jid: string;
  /** The app that wrote it (`Conversations`, `Quicksy`, `ferry`…). */
  app: string;
  /** Body format: 1 (SQL) or 2 (JSON); other numbers are not importable. */
  format: number;
  /** When it was made (the header's timestamp), ISO 8601. */
  createdAt: string;
  size: number;
  /** An account with this address already exists in the profile: importing it would be refused. */
  accountExists: boolean;
}

export interface UnreadableBackup {
  path: string;
  dir: string;
  size: number;
  problem: string;
}

export interface FindBackupsResult {
  backups: FoundBackup[];
  /** `.ceb` files whose header could not be read. */
  unreadable: UnreadableBackup[];
  /** Every folder looked in (existing or not). */
  searched: string[];
}

const APPS = ['Conversations', 'Quicksy'];

/** Where backups land: the profile's Backup/ folder and where Conversations/Quicksy files are copied to. */
export function defaultBackupDirs(profileDir: string, home = homedir()): string[] {
  const dirs = [profileBackupDir(profileDir)];
  for (const app of APPS) {
    dirs.push(
      join(home, 'Download', app, 'Backup'),
      join(home, 'Downloads', app, 'Backup'),
      join(home, app, 'Backup'),
    );
  }
  return dirs;
}

/** The backups in the default folders and `extraDirs`, newest first. */
export async function findBackups(
  profile: Profile,
  extraDirs: string[] = [],
  opts: { home?: string } = {},
): Promise<FoundBackup[]> {
  return (await scanBackupFolders(profile, extraDirs, opts)).backups;
}

/** Like {@link findBackups}, also reporting unreadable `.ceb` files and the folders searched. */
export async function scanBackupFolders(
  profile: Profile,
  extraDirs: string[] = [],
  opts: { home?: string } = {},
): Promise<FindBackupsResult> {
  const searched = [
    ...defaultBackupDirs(profile.dir, opts.home),
    ...extraDirs.map((d) => resolve(d)),
  ];
  const seen = new Set<string>();
  const result: FindBackupsResult = { backups: [], unreadable: [], searched };
  for (const dir of searched) {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      continue;
    }
    for (const name of names.sort()) {
      if (!name.endsWith('.ceb') || name.startsWith('.')) continue;
      const path = join(dir, name);
      let real: string;
      let size: number;
      try {
        real = await realpath(path);
        const st = await stat(real);
        if (!st.isFile()) continue;
        size = st.size;
      } catch {
        continue;
      }
      if (seen.has(real)) continue;
      seen.add(real);
      try {
        const { header } = await readHeader(path);
        result.backups.push({
          path,
          dir,
          jid: header.jid,
          app: header.app,
          format: header.version,
          createdAt: headerTime(header.timestamp),
          size,
          accountExists: safeExists(profile, header.jid),
        });
      } catch (err) {
        result.unreadable.push({
          path,
          dir,
          size,
          problem: err instanceof Error ? err.message : String(err),
        });
      }
    }
  }
  result.backups.sort(
    (a, b) => b.createdAt.localeCompare(a.createdAt) || a.path.localeCompare(b.path),
  );
  return result;
}

function safeExists(profile: Profile, jid: string): boolean {
  try {
    return findAccountByJid(profile.db, jid) !== undefined;
  } catch {
    return false;
  }
}
