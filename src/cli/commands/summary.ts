/**
 * Every command of `ferry` by group, with what the top-level help shows of it (its name, its term
 * and its description), readable without loading any command module: commands/index.ts loads a
 * group when one of its commands runs, help-text.ts writes `ferry --help` from this.
 * src/cli/help.test.ts checks these match the real commands.
 */
export interface CommandSummary {
  name: string;
  term: string;
  description: string;
}

export const COMMAND_SUMMARIES = {
  file: [
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
  account: [
    { name: 'account', term: 'account', description: 'the accounts of this profile (device)' },
  ],
  backup: [
    {
      name: 'backup',
      term: 'backup',
      description: 'make, find and import backups (the three steps of a move)',
    },
  ],
  export: [
    {
      name: 'export',
      term: 'export [options] [backup]',
      description:
        'write chats as text, a web page, JSON or an SQLite database, to read anywhere — or hand the account to another client (profanity, Dino)',
    },
  ],
  engine: [
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
  chat: [
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
  omemo: [
    {
      name: 'omemo',
      term: 'omemo',
      description: 'OMEMO devices and keys: fingerprints, trust, distrust',
    },
  ],
  media: [
    {
      name: 'media',
      term: 'media',
      description: 'the files your messages point to (pictures, documents, …)',
    },
  ],
  web: [
    {
      name: 'web',
      term: 'web [options]',
      description: 'open the migration web app (on 127.0.0.1 only, with an access token)',
    },
  ],
} satisfies Record<string, CommandSummary[]>;
