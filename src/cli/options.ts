import { EXIT, UserFacingError } from './failure.js';

/** `--keep N` of `backup create` and `backup push`: how many backups per account stay. */
export function parseKeep(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new UserFacingError(
      `--keep ${value} is not a whole number ≥ 1`,
      'The newest backup always counts as one.',
      EXIT.usage,
    );
  }
  return n;
}

/** A number of messages (`--history N`, `--last N`). */
export function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    throw new UserFacingError(
      `"${value}" is not a number of messages`,
      'Use a whole number ≥ 0.',
      EXIT.usage,
    );
  }
  return n;
}
