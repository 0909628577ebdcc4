import { CebError } from '../format/errors.js';

/** Exit codes of the `ferry` command; documented in docs/cli.md. */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  wrongPassword: 3,
  damaged: 4,
  unsupportedVersion: 5,
  notABackup: 6,
  accountExists: 7,
  busy: 8,
  network: 9,
} as const;

/**
 * An error meant for the person at the terminal: one line saying what happened and a hint saying
 * what to do. Anything that reaches the CLI's top level as a UserFacingError is printed as such;
 * anything else is a bug and is printed with its message only (never a stack unless FERRY_DEBUG=1).
 */
export class UserFacingError extends Error {
  override name = 'UserFacingError';
  constructor(
    message: string,
    readonly hint: string,
    readonly exitCode: number = EXIT.failure,
  ) {
    super(message);
  }
}

/** Turns any error into what the CLI prints and the code it exits with. */
export function describeFailure(err: unknown): { message: string; hint: string; exitCode: number } {
  if (err instanceof UserFacingError) {
    return { message: err.message, hint: err.hint, exitCode: err.exitCode };
  }
  if (err instanceof CebError) {
    switch (err.code) {
      case 'wrong-password':
        return {
          message: err.message,
          hint: 'The backup is encrypted with the account password it had when the backup was made; try that one.',
          exitCode: EXIT.wrongPassword,
        };
      case 'damaged':
        return {
          message: err.message,
          hint: 'The file is damaged or incomplete; copy it again from the old device and retry.',
          exitCode: EXIT.damaged,
        };
      case 'unsupported-version':
        return {
          message: err.message,
          hint: 'This backup was made by a newer app; update ferry.',
          exitCode: EXIT.unsupportedVersion,
        };
      case 'not-a-backup':
        return {
          message: err.message,
          hint: 'Choose a .ceb file made by Conversations, Quicksy or ferry.',
          exitCode: EXIT.notABackup,
        };
      case 'malformed-content':
        return {
          message: err.message,
          hint: 'The file decrypts but holds something Conversations does not write; it was not imported.',
          exitCode: EXIT.damaged,
        };
      case 'too-long':
        return {
          message: err.message,
          hint: 'Shorten the value and try again.',
          exitCode: EXIT.failure,
        };
    }
  }
  const message = err instanceof Error ? err.message : String(err);
  return {
    message: `unexpected error: ${message}`,
    hint: 'This is a bug in ferry; run again with FERRY_DEBUG=1 and report what it prints.',
    exitCode: EXIT.failure,
  };
}
