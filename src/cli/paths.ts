import { accessSync, constants, statSync } from 'node:fs';
import { describeFileSystemError, EXIT, UserFacingError } from './failure.js';

function fail(err: unknown, path: string): never {
  const words = describeFileSystemError(Object.assign(err as object, { path }));
  if (words) throw new UserFacingError(words.message, words.hint, words.exitCode);
  throw err;
}

/** Checks, before any work, that PATH is a file this user may read; else one line and a hint. */
export function checkInputFile(path: string): void {
  try {
    if (statSync(path).isDirectory()) {
      throw new UserFacingError(
        `${path} is a folder, not a file`,
        'Name a file inside it (ls it to see what is there).',
        EXIT.usage,
      );
    }
    accessSync(path, constants.R_OK);
  } catch (err) {
    if (err instanceof UserFacingError) throw err;
    fail(err, path);
  }
}

/** Checks that PATH, named as a folder to read, is one this user may list. */
export function checkInputFolder(path: string): void {
  try {
    if (!statSync(path).isDirectory()) {
      throw new UserFacingError(
        `${path} is a file, not a folder`,
        'Name the folder that holds it.',
        EXIT.usage,
      );
    }
    accessSync(path, constants.R_OK | constants.X_OK);
  } catch (err) {
    if (err instanceof UserFacingError) throw err;
    fail(err, path);
  }
}

/** Checks that PATH, named as a folder to write into, is not a file (a missing one is created). */
export function checkOutputFolder(path: string): void {
  try {
    if (!statSync(path).isDirectory()) {
      throw new UserFacingError(
        `${path} is a file, not a folder`,
        'Name a folder to write into (a new one is created if it does not exist).',
        EXIT.usage,
      );
    }
    accessSync(path, constants.W_OK | constants.X_OK);
  } catch (err) {
    if (err instanceof UserFacingError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    fail(err, path);
  }
}
