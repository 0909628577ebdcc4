/**
 * Any error in words, for the terminal or for the web page, from the error table (table.ts).
 * An error the table does not know is a bug in ferry, and is said to be one.
 */
import { EXIT } from './exit-codes.js';
import { findError, type FailureContext, type PageErrorKind } from './table.js';
import { UserFacingError } from './user-facing-error.js';

export interface TerminalWords {
  message: string;
  hint: string;
  exitCode: number;
}

/** An error as the web page shows it: what happened, in the user's words, and what to do. */
export interface PageWords {
  /** Stable kind for the page (e.g. to reopen the password dialog on a wrong password). */
  kind: PageErrorKind;
  message: string;
  hint: string;
}

/** What the CLI prints for `err` and the code it exits with. */
export function terminalWords(err: unknown, ctx: FailureContext = {}): TerminalWords {
  if (err instanceof UserFacingError) {
    return { message: err.message, hint: err.hint, exitCode: err.exitCode };
  }
  const found = findError(err);
  if (found) return { ...found.cli(ctx), exitCode: found.exit };
  const message = err instanceof Error ? err.message : String(err);
  return {
    message: `unexpected error: ${message}`,
    hint: 'This is a bug in ferry; run again with FERRY_DEBUG=1 and report what it prints.',
    exitCode: EXIT.failure,
  };
}

/** What the web page shows for `err`. Never includes a password. */
export function pageWords(err: unknown): PageWords {
  if (err instanceof UserFacingError)
    return { kind: 'failed', message: err.message, hint: err.hint };
  const found = findError(err);
  if (found) return { kind: found.kind, ...found.web() };
  const message = err instanceof Error ? err.message : String(err);
  return {
    kind: 'failed',
    message: `Something went wrong: ${message}`,
    hint: 'This is probably a bug in ferry; the terminal running `ferry web` may say more.',
  };
}

/** The HTTP status for a request that `err` ended (500: not in the table, a bug). */
export function httpStatusOf(err: unknown): number {
  if (err instanceof UserFacingError) return 400;
  return findError(err)?.http ?? 500;
}
