import { EXIT } from './exit-codes.js';

/**
 * An error already in the words of the person at the terminal: one line saying what happened and a
 * hint saying what to do. The interfaces show it as it is (the CLI exits with `exitCode`); every
 * other error is put into words by the error table (table.ts).
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
