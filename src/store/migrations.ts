import type Database from 'better-sqlite3';
import { CONVERSATIONS_TABLES_DDL } from './schema.js';
import { ProfileTooNewError } from './errors.js';

/**
 * One step of the profile database's schema history. `version` is what `PRAGMA user_version`
 * reads after the step ran; steps run in order, each in its own transaction, and are never edited
 * once released — a change to the schema is a new step at the end.
 */
export interface Migration {
  version: number;
  description: string;
  up(db: Database.Database): void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: "Conversations' seven tables with Conversations' column types",
    up: (db) => db.exec(CONVERSATIONS_TABLES_DDL),
  },
  {
    version: 2,
    description: "ferry's own bookkeeping: a key/value table for profile settings",
    up: (db) =>
      db.exec('CREATE TABLE IF NOT EXISTS ferry_settings (key TEXT PRIMARY KEY, value TEXT)'),
  },
  {
    version: 3,
    description:
      "ferry's own bookkeeping: each account's last connection state and how far its archive " +
      'catch-up got (tables the XMPP engine created on first use before this step)',
    up: (db) => {
      // IF NOT EXISTS: a profile used by an older ferry already has them, maybe without the
      // columns added later (hint, retryAt, fingerprint), which are added here.
      db.exec(`CREATE TABLE IF NOT EXISTS ferry_account_state (accountUuid TEXT PRIMARY KEY,
        state TEXT NOT NULL, error TEXT, updatedAt INTEGER NOT NULL, hint TEXT, retryAt INTEGER,
        fingerprint TEXT)`);
      addMissingColumns(db, 'ferry_account_state', [
        ['hint', 'TEXT'],
        ['retryAt', 'INTEGER'],
        ['fingerprint', 'TEXT'],
      ]);
      db.exec(`CREATE TABLE IF NOT EXISTS ferry_archive_position (accountUuid TEXT NOT NULL,
        archiveJid TEXT NOT NULL, lastId TEXT NOT NULL, lastTime INTEGER, updatedAt INTEGER NOT NULL,
        PRIMARY KEY (accountUuid, archiveJid))`);
    },
  },
];

function addMissingColumns(
  db: Database.Database,
  table: string,
  columns: readonly (readonly [name: string, type: string])[],
): void {
  const have = new Set(
    (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name),
  );
  for (const [name, type] of columns) {
    if (!have.has(name)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${name} ${type}`);
  }
}

/** The schema version this build of ferry writes. */
export const SCHEMA_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);

/** Brings the database up to {@link SCHEMA_VERSION}; returns the version it started from. */
export function migrate(db: Database.Database, migrations = MIGRATIONS): number {
  const start = Number(db.pragma('user_version', { simple: true }));
  const known = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  if (start > known) throw new ProfileTooNewError(start, known);
  for (const step of [...migrations].sort((a, b) => a.version - b.version)) {
    if (step.version <= start) continue;
    db.transaction(() => {
      step.up(db);
      db.pragma(`user_version = ${step.version}`);
    }).immediate();
  }
  return start;
}
