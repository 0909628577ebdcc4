import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openProfile, type Profile } from '../../store/profile.js';
import { dumpBackupTables, dumpTable } from '../../store/dump.js';

/** The repository's test-data folder. */
export const TEST_DATA = fileURLToPath(new URL('../../../test-data/', import.meta.url));

export interface CebFixture {
  file: string;
  format: number;
  jid: string;
  password: string;
  outcome: 'ok' | 'corrupt' | 'unsupported-version';
  messages: number;
  expected: string;
  rows?: string;
}

export function cebFixtures(): CebFixture[] {
  return JSON.parse(readFileSync(join(TEST_DATA, 'ceb', 'fixtures.json'), 'utf8')) as CebFixture[];
}

export function fixturePath(name: string): string {
  return join(TEST_DATA, 'ceb', name);
}

export const OMEMO_BACKUP = {
  v1: join(TEST_DATA, 'omemo', 'alice.v1.ceb'),
  v2: join(TEST_DATA, 'omemo', 'alice.v2.ceb'),
  jid: 'alice@example.org',
  password: 'alice-backup-password',
};

/** A temporary folder removed by `cleanup()`. */
export function tempDir(prefix: string): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), `ferry-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Opens a fresh profile in a temporary folder. */
export function tempProfile(prefix = 'profile'): {
  profile: Profile;
  dir: string;
  cleanup(): void;
} {
  const t = tempDir(prefix);
  const profile = openProfile(join(t.dir, 'profile'));
  return {
    profile,
    dir: t.dir,
    cleanup: () => {
      profile.close();
      t.cleanup();
    },
  };
}

/** Everything in the profile database, every table (ferry's own included), as comparable lines. */
export function dumpWholeDatabase(profile: Profile): string[] {
  const tables = profile.db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    .pluck()
    .all() as string[];
  const schema = profile.db
    .prepare('SELECT type, name, sql FROM sqlite_master ORDER BY type, name')
    .all()
    .map((r) => JSON.stringify(r));
  return [...schema, ...tables.flatMap((t) => dumpTable(profile.db, t))];
}

export { dumpBackupTables };

/** Names, sizes, modes and contents' sizes of the files in a folder (recursively), sorted. */
export function listFolder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, prefix: string): void => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const name of names.sort()) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p, `${prefix}${name}/`);
      else out.push(`${prefix}${name} ${st.size} ${(st.mode & 0o777).toString(8)} ${st.mtimeMs}`);
    }
  };
  walk(dir, '');
  return out;
}
