import { CebError } from '@ferry/ceb-format/header';
import { UserFacingError } from '../cli/failure.js';
import { StoreError } from '../store/errors.js';
import { RemoteStorageError } from '../migration/remote/errors.js';

/** An error as the page shows it: what happened, in the user's words, and what to do. */
export interface UserError {
  /** Stable kind for the page (e.g. to reopen the password dialog on a wrong password). */
  kind:
    | 'wrong-password'
    | 'damaged'
    | 'unsupported-version'
    | 'not-a-backup'
    | 'account-exists'
    | 'busy'
    | 'unreachable'
    | 'login-failed'
    | 'wrong-credentials'
    | 'connection-lost'
    | 'not-found'
    | 'invalid'
    | 'failed';
  message: string;
  hint: string;
}

function errorName(err: unknown): string {
  return err instanceof Error ? err.name : '';
}

function errorCode(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return '';
}

/** Turns any error of ferry's flows into words for the page. Never includes a password. */
export function describeUserError(err: unknown): UserError {
  if (err instanceof CebError) {
    switch (err.code) {
      case 'wrong-password':
        return {
          kind: 'wrong-password',
          message: 'Wrong password: this backup does not open with it.',
          hint: 'Enter the account password the account had when the backup was made.',
        };
      case 'damaged':
      case 'malformed-content':
        return {
          kind: 'damaged',
          message: 'The backup file is damaged or incomplete. Nothing was imported.',
          hint: 'Copy the file again from the old device and retry.',
        };
      case 'unsupported-version':
        return {
          kind: 'unsupported-version',
          message: 'This backup was made by a newer app than this ferry.',
          hint: 'Update ferry, then import it again.',
        };
      case 'not-a-backup':
        return {
          kind: 'not-a-backup',
          message: 'This file is not a Conversations backup.',
          hint: 'Choose a .ceb file made by Conversations, Quicksy or ferry.',
        };
      case 'too-long':
        return { kind: 'invalid', message: err.message, hint: 'Shorten the value and try again.' };
    }
  }
  if (err instanceof RemoteStorageError) return describeCloudError(err);
  if (err instanceof StoreError) {
    switch (err.code) {
      case 'invalid-jid':
        return {
          kind: 'invalid',
          message: err.message,
          hint: 'Enter the address like kim@example.org.',
        };
      case 'account-not-found':
        return {
          kind: 'invalid',
          message: 'This account is not on this device.',
          hint: 'Reload the page to see the current accounts.',
        };
      case 'profile-too-new':
        return {
          kind: 'failed',
          message: 'This profile was written by a newer ferry.',
          hint: 'Update ferry to use it.',
        };
      default:
        break;
    }
  }
  const name = errorName(err);
  const code = errorCode(err);
  if (name === 'AccountExistsError' || code === 'account-exists') {
    return {
      kind: 'account-exists',
      message: 'This account is already set up on this device. Nothing was imported.',
      hint: 'A backup restores an account that is not here yet; importing it twice would clone it.',
    };
  }
  if (name === 'EngineError' && code === 'not-connected') {
    return {
      kind: 'unreachable',
      message: 'The account is not connected, so the message was not sent.',
      hint: 'Enable the account on the Accounts screen and wait until it is online.',
    };
  }
  if (name === 'OmemoEncryptError') {
    return {
      kind: 'failed',
      message: `Not sent: ${err instanceof Error ? err.message : ''}.`,
      hint:
        'Trust one of the contact’s devices first (ferry omemo fingerprints, then ferry omemo trust), ' +
        'or send unencrypted on purpose (ferry send --no-omemo).',
    };
  }
  if (name === 'ProfileBusyError' || code === 'busy') {
    return {
      kind: 'busy',
      message: 'Another operation is running on this profile.',
      hint: 'Wait until it has finished (or stop the other ferry), then try again.',
    };
  }
  if (['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'ECONNRESET'].includes(code)) {
    return {
      kind: 'unreachable',
      message: 'The server is unreachable.',
      hint: 'Check the network connection and the server address, then try again.',
    };
  }
  const hint = err instanceof Error ? (err as Error & { hint?: unknown }).hint : undefined;
  if (err instanceof Error && typeof hint === 'string') {
    return { kind: 'failed', message: err.message, hint };
  }
  if (err instanceof UserFacingError) {
    return { kind: 'failed', message: err.message, hint: err.hint };
  }
  const message = err instanceof Error ? err.message : String(err);
  return {
    kind: 'failed',
    message: `Something went wrong: ${message}`,
    hint: 'This is probably a bug in ferry; the terminal running `ferry web` may say more.',
  };
}

/** A WebDAV (cloud folder) failure in the words of the web page; never a credential. */
function describeCloudError(err: RemoteStorageError): UserError {
  switch (err.code) {
    case 'auth':
      return {
        kind: 'wrong-credentials',
        message: 'The cloud folder refused the user name or password.',
        hint: 'Check both; Nextcloud and ownCloud want an app password (Settings → Security) when two-factor login is on.',
      };
    case 'network':
      return /cannot reach/.test(err.message)
        ? {
            kind: 'unreachable',
            message: 'The cloud server is unreachable.',
            hint: 'Check the folder address and the network connection, then try again.',
          }
        : {
            kind: 'connection-lost',
            message: 'The connection to the cloud server dropped. No partial file was kept.',
            hint: 'Check the network connection and try again.',
          };
    case 'not-found':
      return {
        kind: 'not-found',
        message: 'This folder is not on the cloud server.',
        hint: 'Check the folder address (for Nextcloud: https://HOST/remote.php/dav/files/USER/FOLDER/).',
      };
    case 'bad-url':
      return {
        kind: 'invalid',
        message: 'This is not a cloud folder address.',
        hint: 'Enter it like https://cloud.example.org/remote.php/dav/files/kim/Backups/ — without the user name or password in it.',
      };
    case 'verify':
      return {
        kind: 'damaged',
        message: 'The file arrived incomplete or changed, so it was not kept.',
        hint: 'Try again; if it happens again, the server may be out of space.',
      };
    case 'exists':
      return {
        kind: 'failed',
        message: 'A different file with the same name is already there. Nothing was replaced.',
        hint: 'Move the other file away, then try again.',
      };
    default:
      return {
        kind: 'failed',
        message: `The cloud server failed: ${err.message}.`,
        hint: err.hint,
      };
  }
}
