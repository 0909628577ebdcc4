import type { Command } from 'commander';

/** Placeholder: this group of commands is being built. */
export function registerWebCommand(_program: Command): void {}
