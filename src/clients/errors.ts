/**
 * Typed errors of the other-clients layer, so the CLI and the web app can put them into words
 * without parsing messages. Each carries a hint: what the person can do about it.
 */
export type ClientErrorCode =
  /** The account is enabled in the profile: exporting it would run it twice (a clone). */
  | 'would-clone'
  /** The account is not in the source (profile or backup). */
  | 'no-such-account'
  /** The folder to write into exists and holds something. */
  | 'target-not-empty'
  /** The other client's files are missing, damaged or incomplete. */
  | 'damaged-home'
  /** The other client's home holds an account ferry cannot take (several, none, unreadable). */
  | 'unusable-account';

export class ClientError extends Error {
  override name = 'ClientError';
  constructor(
    readonly code: ClientErrorCode,
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

/** A libsignal record (session, identity, prekey) in another client's files does not parse. */
export class RecordError extends Error {
  override name = 'RecordError';
  readonly code = 'not-a-signal-record';
}

/** A GLib key file (profanity's accounts and OMEMO files) with a line that is none of its forms. */
export class KeyFileError extends Error {
  override name = 'KeyFileError';
  readonly code = 'damaged-key-file';
}
