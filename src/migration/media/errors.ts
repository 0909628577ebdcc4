import { CebError } from '../../format/errors.js';

/**
 * Errors of the media companion (`<backup>.ceb.media`). They reuse the codes of the backup format's
 * errors so callers that already tell "wrong password" from "damaged" handle them the same way.
 */
export class CompanionNotRecognisedError extends CebError {
  readonly code = 'not-a-backup';
  constructor(
    readonly file: string,
    reason = 'is not a ferry media companion',
  ) {
    super(`${file} ${reason}`);
  }
}

export class CompanionVersionError extends CebError {
  readonly code = 'unsupported-version';
  constructor(readonly version: number) {
    super(
      `media companion format version ${version} is not supported (this reader knows version 1)`,
    );
  }
}

export class CompanionWrongPasswordError extends CebError {
  readonly code = 'wrong-password';
  constructor() {
    super('wrong password: the media companion could not be decrypted with it');
  }
}

export class CompanionDamagedError extends CebError {
  readonly code = 'damaged';
}

/** A relativeFilePath that would lead outside the account's media folder (or is empty). */
export class UnsafeMediaPathError extends Error {
  override name = 'UnsafeMediaPathError';
  readonly code = 'unsafe-media-path';
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`unsafe media path ${JSON.stringify(path)}: ${reason}`);
  }
}
