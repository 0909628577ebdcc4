import { CebError } from '@ferry/ceb-format/header';

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
  const fsFailure = describeFileSystemError(err);
  if (fsFailure) return fsFailure;
  if (err instanceof Error && err.name === 'OmemoEncryptError') {
    // No import of the OMEMO layer here: the CLI loads it only for the commands that chat.
    return {
      message: `not sent: ${err.message}`,
      hint:
        'Trust one of their devices first (ferry omemo fingerprints --contact JID, then ferry omemo ' +
        'trust JID FINGERPRINT), or send unencrypted on purpose with --no-omemo.',
      exitCode: EXIT.failure,
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  return {
    message: `unexpected error: ${message}`,
    hint: 'This is a bug in ferry; run again with FERRY_DEBUG=1 and report what it prints.',
    exitCode: EXIT.failure,
  };
}

/**
 * A path the person named that is missing, a folder, or unreadable: said with the path, whichever
 * command met it (the file system's error codes, e.g. ENOENT, never reach the terminal raw).
 */
export function describeFileSystemError(
  err: unknown,
): { message: string; hint: string; exitCode: number } | undefined {
  if (!(err instanceof Error) || !('code' in err)) return undefined;
  const code = String((err as NodeJS.ErrnoException).code);
  const path = (err as NodeJS.ErrnoException).path;
  if (path === undefined) return undefined;
  switch (code) {
    case 'ENOENT':
      return {
        message: `no such file or folder: ${path}`,
        hint: 'Check the path (spelling, and the folder you run ferry in).',
        exitCode: EXIT.usage,
      };
    case 'ENOTDIR':
      return {
        message: `${path}: part of this path is a file, not a folder`,
        hint: 'Check the path.',
        exitCode: EXIT.usage,
      };
    case 'EISDIR':
      return {
        message: `${path} is a folder, not a file`,
        hint: 'Name a file inside it (ls it to see what is there).',
        exitCode: EXIT.usage,
      };
    case 'EACCES':
    case 'EPERM':
      return {
        message: `permission denied: ${path}`,
        hint: 'Check its permissions (ls -l), or choose one you may read and write.',
        exitCode: EXIT.failure,
      };
    case 'EROFS':
      return {
        message: `${path} is on a read-only disk`,
        hint: 'Choose a folder you can write to.',
        exitCode: EXIT.failure,
      };
    default:
      return undefined;
  }
}

/** Gives a file system error that lacks it (e.g. EISDIR from a read) the path the person named. */
export function withPath(err: unknown, path: string): unknown {
  if (err instanceof Error && 'code' in err && (err as NodeJS.ErrnoException).path === undefined) {
    (err as NodeJS.ErrnoException).path = path;
  }
  return err;
}
