import type { Command } from 'commander';

/** Placeholder: this group of commands is being built. */
export function registerRemoteBackupCommands(_program: Command): void {}
