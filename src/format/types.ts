/** The seven tables a Conversations backup holds, in the order Conversations writes them. */
export const BACKUP_TABLES = [
  'accounts',
  'conversations',
  'messages',
  'prekeys',
  'signed_prekeys',
  'sessions',
  'identities',
] as const;

export type BackupTable = (typeof BACKUP_TABLES)[number];

/**
 * A value as the backup file holds it.
 * - Format 1 (SQL): `null`, a quoted string, or a bare digit literal as a `bigint` (exact, any size).
 * - Format 2 (JSON): `null`, a string, or a JSON number (only the account's `options`).
 */
export type CebValue = string | number | bigint | null;

/** One row of one table, columns in file order. */
export interface BackupRow {
  table: BackupTable;
  values: Record<string, CebValue>;
}

/** Body format: 1 = SQL INSERT statements (Conversations ≤ 2.12), 2 = JSON (2.13+). */
export type FormatVersion = 1 | 2;

/** The unencrypted header at the start of every `.ceb` file. */
export interface BackupHeader {
  version: number;
  /** The app that wrote the file, e.g. `Conversations`. */
  app: string;
  /** Bare JID of the account. */
  jid: string;
  /** Milliseconds since the epoch (Java `long`). */
  timestamp: bigint;
  /** 12 bytes. */
  iv: Uint8Array;
  /** 16 bytes. */
  salt: Uint8Array;
}

/** A value as SQLite returns it, handed to the writer (`getString` semantics are applied on write). */
export type DbValue = string | number | bigint | null | Uint8Array;

/** One database row to write into a backup, columns in table order. */
export interface DbRow {
  table: BackupTable;
  values: Record<string, DbValue>;
}

/**
 * One database row as SQLite returns it in raw mode: values in the order of `columns` (the same
 * array for every row of one query), for writers that need no object per row.
 */
export interface RawDbRow {
  table: BackupTable;
  columns: readonly string[];
  raw: readonly DbValue[];
}

/**
 * Rows already written as format-2 text by a producer following the writer's `jsonRowTemplate`
 * and checked with `isPlainJsonText`: one text per row, each preceded by its comma.
 */
export interface JsonRowsText {
  table: BackupTable;
  json: readonly string[];
  /** How many rows: `json.length`. */
  rows: number;
}

/** Options for writing a backup file. */
export interface WriteBackupOptions {
  /** Bare JID of the account; goes into the header. */
  jid: string;
  /** The account password: the file's encryption key is derived from it. */
  password: string;
  /** The app named in the header; default `Conversations`. */
  app?: string;
  /** Body format; default 2 (JSON). */
  version?: FormatVersion;
  /** Milliseconds since the epoch; default now. */
  timestamp?: bigint;
}
