import type { Command } from 'commander';

/** Placeholder: this group of commands is being built. */
export function registerBackupCommands(_program: Command): void {}
