/**
 * Errors across a thread boundary: a structured clone keeps only a plain Error's message, so the
 * import thread sends its error's class name and fields, and the caller's thread rebuilds the same
 * typed error (the CLI and the web app tell the user what happened by its class and `code`).
 */
import {
  DamagedBackupError,
  MalformedContentError,
  NotABackupError,
  UnsupportedVersionError,
  ValueTooLongError,
  WrongPasswordError,
} from '@ferry/ceb-format/header';
import {
  AccountExistsError,
  AccountNotFoundError,
  ConflictingDataError,
  InvalidJidError,
  ProfileBusyError,
  ProfileTooNewError,
} from '../store/errors.js';

/** An error as it crosses between threads. */
export interface ThreadError {
  /** The class's name, when it is one of {@link TYPED}. */
  type: string;
  message: string;
  stack?: string;
  /** The error's own fields that are plain values (code, errno, path, where, …). */
  fields: Record<string, string | number | boolean | null>;
}

type ErrorClass = abstract new (...args: never[]) => Error;

const TYPED: Record<string, ErrorClass> = {
  DamagedBackupError,
  MalformedContentError,
  NotABackupError,
  UnsupportedVersionError,
  ValueTooLongError,
  WrongPasswordError,
  AccountExistsError,
  AccountNotFoundError,
  ConflictingDataError,
  InvalidJidError,
  ProfileBusyError,
  ProfileTooNewError,
};

export function errorForThread(err: unknown): ThreadError {
  if (!(err instanceof Error)) return { type: '', message: String(err), fields: {} };
  // The name too (SQLite's errors keep theirs on the prototype): the words a person reads name it.
  const fields: ThreadError['fields'] = { name: err.name };
  for (const [key, value] of Object.entries(err)) {
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) {
      fields[key] = value as string | number | boolean | null;
    }
  }
  const type = Object.keys(TYPED).find((name) => err.constructor === TYPED[name]) ?? '';
  return { type, message: err.message, ...(err.stack ? { stack: err.stack } : {}), fields };
}

export function errorFromThread(sent: ThreadError): Error {
  const cls = TYPED[sent.type];
  const err: Error =
    cls === undefined ? new Error(sent.message) : (Object.create(cls.prototype) as Error);
  Object.defineProperty(err, 'message', {
    value: sent.message,
    writable: true,
    configurable: true,
  });
  if (sent.stack !== undefined) {
    Object.defineProperty(err, 'stack', { value: sent.stack, writable: true, configurable: true });
  }
  Object.assign(err, sent.fields);
  return err;
}
