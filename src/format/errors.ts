/**
 * Typed errors of the backup format. Every failure to read or write a `.ceb` file is one of these,
 * so callers (CLI, web app) can tell the user what happened without looking at messages.
 */
export type CebErrorCode =
  | 'not-a-backup'
  | 'unsupported-version'
  | 'wrong-password'
  | 'damaged'
  | 'malformed-content'
  | 'too-long';

export abstract class CebError extends Error {
  abstract readonly code: CebErrorCode;
  override name = 'CebError';
}

/** The file does not start with a Conversations backup header (or is too short to hold one). */
export class NotABackupError extends CebError {
  readonly code = 'not-a-backup';
}

/** The header names a format version this library does not know (e.g. 99). */
export class UnsupportedVersionError extends CebError {
  readonly code = 'unsupported-version';
  constructor(readonly version: number) {
    super(`backup format version ${version} is not supported (this reader knows versions 1 and 2)`);
  }
}

/** The password does not open the file (detected from the first decrypted bytes). */
export class WrongPasswordError extends CebError {
  readonly code = 'wrong-password';
  constructor() {
    super('wrong password: the backup could not be decrypted with it');
  }
}

/** Authentication failed, the file is truncated, the gzip stream is broken, or data follows the body. */
export class DamagedBackupError extends CebError {
  readonly code = 'damaged';
}

/** The decrypted body is not what Conversations writes. `where` names a line or byte offset. */
export class MalformedContentError extends CebError {
  readonly code = 'malformed-content';
  constructor(
    readonly where: string,
    readonly detail: string,
  ) {
    super(`unexpected content at ${where}: ${detail}`);
  }
}

/** A header string is longer than Java's `writeUTF` allows (65535 bytes of modified UTF-8). */
export class ValueTooLongError extends CebError {
  readonly code = 'too-long';
}
