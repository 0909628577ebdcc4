import type Database from 'better-sqlite3';

/** The connection state of an account as the engine last saw it. */
export type AccountConnectionState =
  'connecting' | 'online' | 'offline' | 'login-failed' | 'unreachable';

export interface StoredAccountState {
  accountUuid: string;
  state: AccountConnectionState;
  /** A sentence for the user when the state is a failure, else null. */
  error: string | null;
  /** Milliseconds since the epoch. */
  updatedAt: number;
}

/**
 * ferry's own table (never part of a backup): the last connection state of each account, so that
 * `ferry account list` and the web app can show "wrong password" or "server unreachable".
 */
export function ensureAccountStateTable(db: Database.Database): void {
  db.exec(`CREATE TABLE IF NOT EXISTS ferry_account_state (accountUuid TEXT PRIMARY KEY,
    state TEXT NOT NULL, error TEXT, updatedAt INTEGER NOT NULL)`);
}

export function saveAccountState(
  db: Database.Database,
  accountUuid: string,
  state: AccountConnectionState,
  error: string | null = null,
): void {
  ensureAccountStateTable(db);
  db.prepare(
    `INSERT INTO ferry_account_state (accountUuid, state, error, updatedAt) VALUES (?, ?, ?, ?)
     ON CONFLICT(accountUuid) DO UPDATE SET state = excluded.state, error = excluded.error,
       updatedAt = excluded.updatedAt`,
  ).run(accountUuid, state, error, Date.now());
}

/** The stored state of an account, or undefined if it never connected from this profile. */
export function readAccountState(
  db: Database.Database,
  accountUuid: string,
): StoredAccountState | undefined {
  ensureAccountStateTable(db);
  return db.prepare('SELECT * FROM ferry_account_state WHERE accountUuid = ?').get(accountUuid) as
    StoredAccountState | undefined;
}
