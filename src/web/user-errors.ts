import { pageWords, type PageWords } from '../errors/words.js';

/** An error as the page shows it: what happened, in the user's words, and what to do. */
export type UserError = PageWords;

/**
 * Turns any error of ferry's flows into words for the page, by the error table
 * (src/errors/table.ts) the CLI uses too. Never includes a password.
 */
export function describeUserError(err: unknown): UserError {
  return pageWords(err);
}

/** The answer body of a failed request (`ApiErrorBody` in api-types.ts) for `err`. */
export function errorBody(err: unknown): { error: string; hint: string; kind: UserError['kind'] } {
  const e = describeUserError(err);
  return { error: e.message, hint: e.hint, kind: e.kind };
}
