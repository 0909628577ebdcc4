import type { Command } from 'commander';

/** Placeholder: this group of commands is being built. */
export function registerFileCommands(_program: Command): void {}
