import type Database from 'better-sqlite3';

/**
 * The connection state of an account as the engine last saw it. `insecure`: ferry refused the
 * connection as unsafe (no TLS, a certificate it can't trust, a SASL downgrade) and won't retry.
 */
export type AccountConnectionState =
  'connecting' | 'online' | 'offline' | 'login-failed' | 'unreachable' | 'insecure';

export interface StoredAccountState {
  accountUuid: string;
  state: AccountConnectionState;
  /** A sentence for the user when the state is a failure, else null. */
  error: string | null;
  /** What the user can do about it, else null. */
  hint: string | null;
  /** When the engine tries again (ms since the epoch), else null. */
  retryAt: number | null;
  /** The refused server certificate's SHA-256 fingerprint, else null. */
  fingerprint: string | null;
  /** Milliseconds since the epoch. */
  updatedAt: number;
}

export interface AccountStateDetails {
  hint?: string | undefined;
  retryAt?: number | undefined;
  fingerprint?: string | undefined;
}

/**
 * ferry's own table `ferry_account_state` (never part of a backup; created by the profile's
 * migrations): the last connection state of each account, so that `ferry account list` and the
 * web app can show "wrong password" or "server unreachable".
 */
export function saveAccountState(
  db: Database.Database,
  accountUuid: string,
  state: AccountConnectionState,
  error: string | null = null,
  details: AccountStateDetails = {},
): void {
  db.prepare(
    `INSERT INTO ferry_account_state (accountUuid, state, error, hint, retryAt, fingerprint, updatedAt)
     VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT(accountUuid) DO UPDATE SET state = excluded.state, error = excluded.error,
       hint = excluded.hint, retryAt = excluded.retryAt, fingerprint = excluded.fingerprint,
       updatedAt = excluded.updatedAt`,
  ).run(
    accountUuid,
    state,
    error,
    details.hint ?? null,
    details.retryAt ?? null,
    details.fingerprint ?? null,
    Date.now(),
  );
}

/** The stored state of an account, or undefined if it never connected from this profile. */
export function readAccountState(
  db: Database.Database,
  accountUuid: string,
): StoredAccountState | undefined {
  return db.prepare('SELECT * FROM ferry_account_state WHERE accountUuid = ?').get(accountUuid) as
    StoredAccountState | undefined;
}
