import { StoreError } from '../../store/errors.js';
import { EXIT, UserFacingError } from '../failure.js';

/**
 * Turns the store's typed errors and full-disk errors into what the person at the terminal reads;
 * anything else is passed through for `describeFailure`.
 */
export function asUserFacing(err: unknown, context: { nothingChanged?: string } = {}): unknown {
  const unchanged = context.nothingChanged ?? 'Nothing was changed.';
  if (err instanceof StoreError) {
    switch (err.code) {
      case 'busy':
        return new UserFacingError(
          err.message,
          'Wait for it to finish (one operation at a time per profile), then run this again.',
          EXIT.busy,
        );
      case 'account-exists':
        return new UserFacingError(
          err.message,
          'A backup is only for moving to a device that does not have the account yet: running the ' +
            'same account on two devices ("cloning") breaks its OMEMO sessions. To replace it, use ' +
            'a fresh profile (--profile DIR).',
          EXIT.accountExists,
        );
      case 'account-not-found':
        return new UserFacingError(err.message, 'See `ferry account list`.', EXIT.usage);
      case 'invalid-jid':
        return new UserFacingError(
          err.message,
          'Give the bare address, e.g. kim@example.org.',
          EXIT.usage,
        );
      case 'profile-too-new':
        return new UserFacingError(err.message, 'Update ferry to open this profile.', EXIT.failure);
      case 'conflicting-data':
        return new UserFacingError(err.message, unchanged, EXIT.failure);
    }
  }
  const code = err instanceof Error && 'code' in err ? String(err.code) : '';
  if (code === 'ENOSPC' || code === 'SQLITE_FULL' || code === 'EDQUOT') {
    return new UserFacingError(
      'the disk is full',
      `Free some space and run this again. ${unchanged}`,
      EXIT.failure,
    );
  }
  if (code === 'EACCES' || code === 'EROFS' || code === 'EPERM') {
    const path = err instanceof Error && 'path' in err ? ` ${String(err.path)}` : '';
    return new UserFacingError(
      code === 'EROFS' ? `${path.trim()} is on a read-only disk` : `permission denied:${path}`,
      `Check its permissions (ls -l), or choose a file or folder you may read and write. ${unchanged}`,
      EXIT.failure,
    );
  }
  return err;
}
