import type { Command } from 'commander';
import { COMMAND_SUMMARIES, type CommandSummary } from './summary.js';

type Register = (program: Command) => void;

/**
 * Every command of `ferry`, one module per group, loaded only when one of its commands runs: a
 * command's modules (and the libraries behind them: SQLite, XMPP, OMEMO, the web server) are not
 * read for `--help` or for another command. What the top-level help shows of them is in summary.ts.
 */
export const COMMAND_GROUPS: {
  commands: CommandSummary[];
  load: () => Promise<Register[]>;
}[] = [
  {
    commands: COMMAND_SUMMARIES.file,
    load: async () => [(await import('./file.js')).registerFileCommands],
  },
  {
    commands: COMMAND_SUMMARIES.account,
    load: async () => [(await import('./account.js')).registerAccountCommands],
  },
  {
    commands: COMMAND_SUMMARIES.backup,
    // backup create|list|import, backup push|pull and list --from, the media options of both.
    load: async () => [(await import('./backup-group.js')).registerBackupGroup],
  },
  {
    commands: COMMAND_SUMMARIES.export,
    load: async () => [(await import('./export.js')).registerExportCommand],
  },
  {
    commands: COMMAND_SUMMARIES.engine,
    load: async () => [(await import('./engine-commands.js')).registerEngineCommands],
  },
  {
    commands: COMMAND_SUMMARIES.chat,
    load: async () => [(await import('./chat.js')).registerLocalChatCommands],
  },
  {
    commands: COMMAND_SUMMARIES.omemo,
    load: async () => [(await import('./omemo.js')).registerOmemoCommands],
  },
  {
    commands: COMMAND_SUMMARIES.media,
    load: async () => [(await import('./media.js')).registerMediaCheckCommand],
  },
  {
    commands: COMMAND_SUMMARIES.web,
    load: async () => [(await import('./web.js')).registerWebCommand],
  },
];

/** Registers every command (for the reference in docs/cli.md and the tests). */
export async function registerCommands(program: Command): Promise<void> {
  for (const group of COMMAND_GROUPS) for (const register of await group.load()) register(program);
}

/** Registers only the group of the command `name` (false if there is none by that name). */
export async function registerCommandGroup(program: Command, name: string): Promise<boolean> {
  const group = COMMAND_GROUPS.find((g) => g.commands.some((c) => c.name === name));
  if (!group) return false;
  for (const register of await group.load()) register(program);
  return true;
}
