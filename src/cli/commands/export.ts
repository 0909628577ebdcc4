import type { Command } from 'commander';

/** Placeholder: this group of commands is being built. */
export function registerExportCommand(_program: Command): void {}
