import { findError } from '../../errors/table.js';
import { UserFacingError } from '../failure.js';

/**
 * The store's typed errors, and the disk's (full, read-only, permission denied), as the person at
 * the terminal reads them after an operation that changes things: the hint says what it left as it
 * was (`nothingChanged`, default "Nothing was changed."). Anything else is passed through for
 * `describeFailure`. The words are the error table's (src/errors/table.ts).
 */
export function asUserFacing(err: unknown, context: { nothingChanged?: string } = {}): unknown {
  const found = findError(err);
  if (!found || !(found.code.startsWith('store.') || found.saysWhatChanged)) return err;
  const { message, hint } = found.cli({
    nothingChanged: context.nothingChanged ?? 'Nothing was changed.',
  });
  return new UserFacingError(message, hint, found.exit);
}
