import type Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackupTable } from '@ferry/ceb-format/header';
import type { DbRow, DbValue } from '../../store/backup-rows.js';
import { createExportDatabase, fillExportDatabase } from '../staging-database.js';

/** The repository's test data (never /work/shared). */
export const CEB_FIXTURES = join(import.meta.dirname, '..', '..', '..', 'test-data', 'ceb');
export const GOLDEN_DIR = join(import.meta.dirname, '..', 'testdata');

export const FIXTURE_NAMES = ['v1-alice', 'v2-alice', 'v1-unicode', 'v2-unicode'] as const;
export type FixtureName = (typeof FIXTURE_NAMES)[number];

export const FIXTURE_PASSWORDS: Record<FixtureName, string> = {
  'v1-alice': 'correct horse battery staple',
  'v2-alice': 'correct horse battery staple',
  'v1-unicode': 'Grüße aus Köln – пароль 🔑',
  'v2-unicode': 'Grüße aus Köln – пароль 🔑',
};

/** Fixed time zone and "exported at" for pinned outputs. */
export const GOLDEN_TZ = 'Europe/Berlin';
export const GOLDEN_EXPORTED_AT = Date.UTC(2026, 10, 28, 12, 0, 0);

/** The rows of `NAME.expected.jsonl` (the database Conversations' import produces). */
export function expectedRows(name: string): DbRow[] {
  const text = readFileSync(join(CEB_FIXTURES, `${name}.expected.jsonl`), 'utf8');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line) => {
      const parsed = JSON.parse(line) as { table: BackupTable; values: Record<string, unknown> };
      const values: Record<string, DbValue> = {};
      for (const [k, v] of Object.entries(parsed.values)) {
        if (v !== null && typeof v === 'object' && 'blob_hex' in v) {
          values[k] = Buffer.from(String((v as { blob_hex: string }).blob_hex), 'hex');
        } else values[k] = v as DbValue;
      }
      return { table: parsed.table, values };
    });
}

/** A scratch export database holding the fixture's imported state, in a temp dir. */
export async function fixtureDatabase(
  name: string,
): Promise<{ db: Database.Database; dir: string; cleanup(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-export-test-'));
  const db = createExportDatabase(join(dir, 'fixture.sqlite'));
  await fillExportDatabase(db, expectedRows(name), { formatVersion: 2, withSecrets: true });
  return {
    db,
    dir,
    cleanup() {
      if (db.open) db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
