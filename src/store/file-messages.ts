/**
 * The files an account's messages point to (`relativeFilePath`): what media backups carry and
 * what an import reports as missing on this device.
 */
import type Database from 'better-sqlite3';

/** An account of the profile as the media functions need it. */
export interface MediaAccount {
  uuid: string;
  /** Bare JID: `username@server`. */
  jid: string;
}

export function mediaAccounts(db: Database.Database): MediaAccount[] {
  return db
    .prepare(
      `SELECT uuid, username || '@' || server AS jid FROM accounts ORDER BY username, server`,
    )
    .all() as MediaAccount[];
}

/** The distinct files the account's messages point to (`relativeFilePath`), in message order. */
export function accountFilePaths(db: Database.Database, accountUuid: string): string[] {
  const rows = db
    .prepare(
      `SELECT m.relativeFilePath AS path, MIN(m.timeSent) AS first
         FROM messages m JOIN conversations c ON c.uuid = m.conversationUuid
        WHERE c.accountUuid = ? AND m.relativeFilePath IS NOT NULL AND m.relativeFilePath <> ''
        GROUP BY m.relativeFilePath
        ORDER BY first, m.relativeFilePath`,
    )
    .all(accountUuid) as { path: unknown }[];
  return rows.map((r) => String(r.path));
}

/** Messages of an account that point to a file, with what a person needs to find them. */
export interface FileMessage {
  messageUuid: string;
  conversation: string;
  timeSent: number;
  type: number;
  relativeFilePath: string;
}

export function accountFileMessages(db: Database.Database, accountUuid: string): FileMessage[] {
  return (
    db
      .prepare(
        `SELECT m.uuid AS messageUuid, c.contactJid AS conversation, m.timeSent AS timeSent,
                m.type AS type, m.relativeFilePath AS relativeFilePath
           FROM conversations c CROSS JOIN messages m ON m.conversationUuid = c.uuid
          WHERE c.accountUuid = ? AND m.relativeFilePath IS NOT NULL AND m.relativeFilePath <> ''
            AND COALESCE(m.deleted, 0) = 0
          ORDER BY m.timeSent, m.uuid`,
      )
      .all(accountUuid) as Record<string, unknown>[]
  ).map((r) => ({
    messageUuid: String(r.messageUuid),
    conversation: String(r.conversation ?? ''),
    timeSent: Number(r.timeSent ?? 0),
    type: Number(r.type ?? 0),
    relativeFilePath: String(r.relativeFilePath),
  }));
}

/**
 * Every message's `relativeFilePath` of the account, deleted messages left out (a file sent twice
 * is listed twice), read lazily (millions of messages): the connection is busy until the
 * iteration ends. Conversation by conversation (`CROSS JOIN` keeps SQLite to that order: walking
 * the messages in their `uuid` index's order instead reads the table at random).
 */
export function* listMessageFilePaths(
  db: Database.Database,
  accountUuid: string,
): Generator<string> {
  const paths = db
    .prepare(
      `SELECT messages.relativeFilePath FROM conversations
       CROSS JOIN messages ON messages.conversationUuid = conversations.uuid
       WHERE conversations.accountUuid = ? AND messages.relativeFilePath IS NOT NULL
         AND messages.relativeFilePath != '' AND COALESCE(messages.deleted, 0) = 0`,
    )
    .pluck()
    .iterate(accountUuid) as Iterable<unknown>;
  for (const value of paths) yield String(value);
}
