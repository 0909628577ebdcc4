import { existsSync } from 'node:fs';
import { findAccountByJid, isAccountEnabled, setAccountEnabled } from '../store/accounts.js';
import { AccountExistsError } from '../store/errors.js';
import { withProfileLock } from '../store/lock.js';
import { openProfileDatabase, profileDatabasePath } from '../store/profile.js';
import type Database from 'better-sqlite3';
import { ClientError } from './errors.js';

/**
 * The seed's "never clone" rule for moves between clients: an account is handed over, not copied.
 * Two programs online with the same OMEMO device and keys break each other's sessions, so:
 *
 * - exporting an account that is enabled in the profile is refused unless the person says what
 *   they want: `deactivate` (disable it here once the export is written) or `allowClone`;
 * - importing an account the profile already has is refused ({@link AccountExistsError}), and an
 *   imported account stays disabled until the person enables it (after stopping the other client).
 */
export interface HandoverChoice {
  /** Disable the account in the profile once the other client's files are written. */
  deactivate?: boolean;
  /** Keep it enabled here too, knowingly (two devices with one OMEMO identity). */
  allowClone?: boolean;
}

export type ProfileAccountState = 'absent' | 'enabled' | 'disabled';

function stateIn(db: Database.Database, jid: string): ProfileAccountState {
  const row = findAccountByJid(db, jid);
  return row === undefined ? 'absent' : isAccountEnabled(row) ? 'enabled' : 'disabled';
}

/** Whether the profile (if there is one in `profileDir`) has the account, and enabled. */
export function accountStateInProfile(
  profileDir: string | undefined,
  jid: string,
): ProfileAccountState {
  if (profileDir === undefined || !existsSync(profileDatabasePath(profileDir))) return 'absent';
  const db = openProfileDatabase(profileDir, { readonly: true });
  try {
    return stateIn(db, jid);
  } finally {
    db.close();
  }
}

/**
 * Before anything is written: refuses ({@link ClientError} `would-clone`) when the account is
 * enabled in the profile and the person chose neither `deactivate` nor `allowClone`.
 */
export function checkNotCloning(
  profileDir: string | undefined,
  jid: string,
  client: string,
  choice: HandoverChoice,
): ProfileAccountState {
  const state = accountStateInProfile(profileDir, jid);
  if (state === 'enabled' && !choice.deactivate && !choice.allowClone) {
    throw new ClientError(
      'would-clone',
      `${jid} is enabled in this profile; exporting it to ${client} would run the account twice`,
      'Two clients with the same OMEMO identity break each other\'s sessions ("cloning"). ' +
        `Add --deactivate to disable it here once ${client}'s files are written ` +
        `(or first: ferry account disable ${jid}).`,
    );
  }
  return state;
}

/** After the export was written: disables the account in the profile (under its lock). */
export async function deactivateInProfile(profileDir: string, jid: string): Promise<boolean> {
  if (!existsSync(profileDatabasePath(profileDir))) return false;
  return withProfileLock({ dir: profileDir }, 'export to another client', () => {
    const db = openProfileDatabase(profileDir);
    try {
      if (stateIn(db, jid) !== 'enabled') return false;
      setAccountEnabled(db, jid, false);
      return true;
    } finally {
      db.close();
    }
  });
}

/** Before an import: the profile must not have the account yet. */
export function checkNotPresent(db: Database.Database, jid: string): void {
  if (findAccountByJid(db, jid)) throw new AccountExistsError(jid);
}
