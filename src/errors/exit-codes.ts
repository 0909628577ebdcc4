/** Exit codes of the `ferry` command; documented in docs/cli.md. */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  wrongPassword: 3,
  damaged: 4,
  unsupportedVersion: 5,
  notABackup: 6,
  accountExists: 7,
  busy: 8,
  network: 9,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
