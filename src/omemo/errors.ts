/**
 * Typed failures of the Signal layer, named after libsignal-protocol-java's exceptions so an
 * outcome can be compared with what the Java library reported.
 */
export type SignalErrorCode =
  | 'duplicate-message'
  | 'invalid-message'
  | 'no-session'
  | 'invalid-key-id'
  | 'invalid-key'
  | 'untrusted-identity';

export abstract class SignalError extends Error {
  abstract readonly code: SignalErrorCode;
}

/** The message key was already used (e.g. history delivered again after a restore). */
export class DuplicateMessageError extends SignalError {
  readonly code = 'duplicate-message';
  override name = 'DuplicateMessageException';
}

/** The message does not decrypt with any session state ("No valid sessions.", "Bad Mac!"…). */
export class InvalidMessageError extends SignalError {
  readonly code = 'invalid-message';
  override name = 'InvalidMessageException';
}

export class NoSessionError extends SignalError {
  readonly code = 'no-session';
  override name = 'NoSessionException';
}

/** A prekey message names a prekey or signed prekey this device does not have (any more). */
export class InvalidKeyIdError extends SignalError {
  readonly code = 'invalid-key-id';
  override name = 'InvalidKeyIdException';
}

/** A key is malformed, or a bundle's signature does not verify. */
export class InvalidSignalKeyError extends SignalError {
  readonly code = 'invalid-key';
  override name = 'InvalidKeyException';
}

export class UntrustedIdentityError extends SignalError {
  readonly code = 'untrusted-identity';
  override name = 'UntrustedIdentityException';
}

/**
 * A message could not be sent encrypted: no trusted device of the contact (or of a group's
 * members) with a bundle, or a group that had encrypted messages before no longer can.
 */
export class OmemoEncryptError extends Error {
  override name = 'OmemoEncryptError';
  readonly code = 'cannot-encrypt';
}

/** An OMEMO element (message, bundle, device list) that is not what XEP-0384 0.3 describes. */
export class MalformedOmemoError extends Error {
  override name = 'MalformedOmemoError';
  readonly code = 'malformed-omemo';
}

/** A Curve25519 key of the wrong length or type (curve.ts). */
export class InvalidKeyError extends Error {
  override name = 'InvalidKeyError';
  readonly code = 'invalid-curve-key';
}
