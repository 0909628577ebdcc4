import type Database from 'better-sqlite3';
import { BACKUP_TABLES, type BackupTable } from '@ferry/ceb-format/header';

const SORT_KEYS: Record<BackupTable, string> = {
  accounts: 'uuid',
  conversations: 'uuid',
  messages: 'uuid',
  prekeys: 'account, id',
  signed_prekeys: 'account, id',
  sessions: 'account, name, device_id',
  identities: 'account, name, fingerprint',
};

/**
 * A value as JSON that keeps SQLite's storage class visible: INTEGER as an exact number, REAL as a
 * number with `.` or `E`, TEXT as a string, BLOB as `{"blob_hex":"…"}`.
 */
export function sqliteValueToJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') {
    const text = JSON.stringify(value);
    return /[.eE]/.test(text) || !Number.isFinite(value) ? text : `${text}.0`;
  }
  if (typeof value === 'string') return JSON.stringify(value);
  if (value instanceof Uint8Array) {
    return `{"blob_hex":${JSON.stringify(Buffer.from(value).toString('hex'))}}`;
  }
  return JSON.stringify(value);
}

/** One table's rows as `{"table":…,"values":{…}}` lines, every column in table order, sorted by key. */
export function dumpTable(db: Database.Database, table: string, orderBy = 'rowid'): string[] {
  const stmt = db.prepare(`SELECT * FROM ${table} ORDER BY ${orderBy}`).safeIntegers(true);
  const lines: string[] = [];
  for (const row of stmt.iterate() as Iterable<Record<string, unknown>>) {
    const fields = Object.entries(row).map(
      ([k, v]) => `${JSON.stringify(k)}:${sqliteValueToJson(v)}`,
    );
    lines.push(`{"table":${JSON.stringify(table)},"values":{${fields.join(',')}}}`);
  }
  return lines;
}

/**
 * The seven backup tables in the shape of the fixtures' `*.expected.jsonl` (Conversations' database
 * after an import): tables in export order, rows sorted by the table's key, ties by the whole line.
 */
export function dumpBackupTables(db: Database.Database): string[] {
  const out: string[] = [];
  for (const table of BACKUP_TABLES) {
    const lines = dumpTable(db, table, SORT_KEYS[table]);
    out.push(...lines);
  }
  return out;
}
