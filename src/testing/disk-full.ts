/**
 * What a test expects when the disk runs out: an error whose `code` is exactly SQLite's
 * `SQLITE_FULL` or the system's `ENOSPC` (not a code that merely starts or ends with one).
 */
const DISK_FULL_CODE = /^(SQLITE_FULL|ENOSPC)$/;

export function isDiskFullError(err: unknown): boolean {
  return err instanceof Error && 'code' in err && DISK_FULL_CODE.test(String(err.code));
}
