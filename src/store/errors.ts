/**
 * Typed errors of the profile store, so the CLI and the web app can tell the user what happened
 * without parsing messages.
 */
export type StoreErrorCode =
  | 'busy'
  | 'account-exists'
  | 'account-not-found'
  | 'invalid-jid'
  | 'profile-too-new'
  | 'conflicting-data';

export abstract class StoreError extends Error {
  abstract readonly code: StoreErrorCode;
  override name = 'StoreError';
}

/** Another ferry operation holds the profile's lock. */
export class ProfileBusyError extends StoreError {
  readonly code = 'busy';
  constructor(
    readonly operation: string,
    readonly holder: { operation: string; pid: number; since: string } | undefined,
  ) {
    super(
      holder
        ? `the profile is busy: "${holder.operation}" (process ${holder.pid}, since ${holder.since}) is still running`
        : 'the profile is busy: another ferry operation is still running',
    );
  }
}

/** An account with this address is already set up in the profile. */
export class AccountExistsError extends StoreError {
  readonly code = 'account-exists';
  constructor(readonly jid: string) {
    super(`the account ${jid} already exists on this device`);
  }
}

export class AccountNotFoundError extends StoreError {
  readonly code = 'account-not-found';
  constructor(readonly jid: string) {
    super(`there is no account ${jid} on this device`);
  }
}

export class InvalidJidError extends StoreError {
  readonly code = 'invalid-jid';
  constructor(readonly jid: string) {
    super(`"${jid}" is not an account address (expected name@server)`);
  }
}

/** The profile was written by a newer ferry whose schema this build does not know. */
export class ProfileTooNewError extends StoreError {
  readonly code = 'profile-too-new';
  constructor(
    readonly found: number,
    readonly known: number,
  ) {
    super(`the profile database has schema version ${found}; this ferry knows up to ${known}`);
  }
}

/** Rows being restored clash with rows already in the profile (same key, another account). */
export class ConflictingDataError extends StoreError {
  readonly code = 'conflicting-data';
}
