/** ferry's error vocabulary (see table.ts): exit codes, the error table, and errors in words. */
export { EXIT, type ExitCode } from './exit-codes.js';
export { UserFacingError } from './user-facing-error.js';
export {
  ERROR_FAMILIES,
  errorCodes,
  findError,
  type ErrorEntry,
  type ErrorFamily,
  type FailureContext,
  type PageErrorKind,
  type TableMatch,
} from './table.js';
export {
  httpStatusOf,
  pageWords,
  terminalWords,
  type PageWords,
  type TerminalWords,
} from './words.js';
