import type { Command } from 'commander';

type Register = (program: Command) => void;

/**
 * Every command of `ferry`, one module per group, loaded only when one of its commands runs: a
 * command's modules (and the libraries behind them: SQLite, XMPP, OMEMO, the web server) are not
 * read for `--help` or for another command. `term` and `description` are what the top-level help
 * shows without loading the module; src/cli/help.test.ts checks they match the real commands.
 */
export const COMMAND_GROUPS: {
  commands: { name: string; term: string; description: string }[];
  load: () => Promise<Register[]>;
}[] = [
  {
    commands: [
      {
        name: 'inspect',
        term: 'inspect [options] <file...>',
        description:
          'show the header of backup files (account, app, format, creation time, size); no password needed',
      },
      {
        name: 'verify',
        term: 'verify [options] <file>',
        description: 'decrypt and authenticate a whole backup file, then count its rows per table',
      },
      {
        name: 'decrypt',
        term: 'decrypt [options] <file>',
        description:
          'write every row of a backup as a JSON line {"table":…,"values":{…}}, values as the file holds them',
      },
    ],
    load: async () => [(await import('./file.js')).registerFileCommands],
  },
  {
    commands: [
      { name: 'account', term: 'account', description: 'the accounts of this profile (device)' },
    ],
    load: async () => [(await import('./account.js')).registerAccountCommands],
  },
  {
    commands: [
      {
        name: 'backup',
        term: 'backup',
        description: 'make, find and import backups (the three steps of a move)',
      },
    ],
    // backup create|list|import, backup push|pull and list --from, the media options of both.
    load: async () => [(await import('./backup-group.js')).registerBackupGroup],
  },
  {
    commands: [
      {
        name: 'export',
        term: 'export [options] [backup]',
        description:
          'write chats as text, a web page, JSON or an SQLite database, to read anywhere — or hand the account to another client (profanity, Dino)',
      },
    ],
    load: async () => [(await import('./export.js')).registerExportCommand],
  },
  {
    commands: [
      {
        name: 'sync',
        term: 'sync [options] [jid]',
        description:
          'connect the enabled accounts (or JID), fetch what arrived meanwhile, disconnect',
      },
      {
        name: 'run',
        term: 'run [options]',
        description:
          'stay online with the enabled accounts and print incoming messages (Ctrl-C to stop)',
      },
      {
        name: 'send',
        term: 'send [options] <jid> <text>',
        description: 'send a text message to a contact or a group chat of this device',
      },
    ],
    load: async () => [(await import('./engine-commands.js')).registerEngineCommands],
  },
  {
    commands: [
      {
        name: 'chats',
        term: 'chats [options]',
        description: 'the conversations on this device, with their last message and unread count',
      },
      {
        name: 'chat',
        term: 'chat [options] <jid>',
        description: "a conversation's history (marks it read)",
      },
    ],
    load: async () => [(await import('./chat.js')).registerLocalChatCommands],
  },
  {
    commands: [
      {
        name: 'omemo',
        term: 'omemo',
        description: 'OMEMO devices and keys: fingerprints, trust, distrust',
      },
    ],
    load: async () => [(await import('./omemo.js')).registerOmemoCommands],
  },
  {
    commands: [
      {
        name: 'media',
        term: 'media',
        description: 'the files your messages point to (pictures, documents, …)',
      },
    ],
    load: async () => [(await import('./media.js')).registerMediaCheckCommand],
  },
  {
    commands: [
      {
        name: 'web',
        term: 'web [options]',
        description: 'open the migration web app (on 127.0.0.1 only, with an access token)',
      },
    ],
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
