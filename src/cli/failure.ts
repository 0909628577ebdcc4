import { findError } from '../errors/table.js';
import { terminalWords, type TerminalWords } from '../errors/words.js';

export { EXIT } from '../errors/exit-codes.js';
export { UserFacingError } from '../errors/user-facing-error.js';

/**
 * Turns any error into what the CLI prints and the code it exits with, by the error table
 * (src/errors/table.ts). A UserFacingError is printed as it is; an error the table does not know is
 * a bug and is printed with its message only (never a stack unless FERRY_DEBUG=1).
 */
export function describeFailure(err: unknown): TerminalWords {
  return terminalWords(err);
}

/**
 * A path the person named that is missing, a folder, or unreadable: said with the path, whichever
 * command met it (the file system's error codes, e.g. ENOENT, never reach the terminal raw).
 */
export function describeFileSystemError(err: unknown): TerminalWords | undefined {
  const found = findError(err);
  if (!found?.code.startsWith('system.')) return undefined;
  return { ...found.cli(), exitCode: found.exit };
}

/** Gives a file system error that lacks it (e.g. EISDIR from a read) the path the person named. */
export function withPath(err: unknown, path: string): unknown {
  if (err instanceof Error && 'code' in err && (err as NodeJS.ErrnoException).path === undefined) {
    (err as NodeJS.ErrnoException).path = path;
  }
  return err;
}
