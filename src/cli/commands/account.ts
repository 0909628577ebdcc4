import type { Command } from 'commander';

/** Placeholder: this group of commands is being built. */
export function registerAccountCommands(_program: Command): void {}
