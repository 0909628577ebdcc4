/**
 * Reading a database with Conversations' tables (a profile, or a backup's scratch copy) the way
 * the exports show it: accounts, their conversations, and each conversation's messages in time
 * order, one row in memory at a time. Values come as SQLite holds them (a backup may store any
 * type in any column), so the row types are loose; the export layer turns them into views.
 */
import type Database from 'better-sqlite3';

/** A `messages` row as SQLite returns it (only the columns the exports read). */
export interface TranscriptMessageRow {
  uuid: string;
  conversationUuid: string;
  timeSent: number | bigint | string | null;
  counterpart: string | null;
  trueCounterpart: string | null;
  body: string | number | bigint | null;
  encryption: number | bigint | string | null;
  status: number | bigint | string | null;
  type: number | bigint | string | null;
  relativeFilePath: string | null;
  serverMsgId: string | null;
  remoteMsgId: string | null;
  edited: string | null;
  deleted: number | bigint | string | null;
  oob: number | bigint | string | null;
}

/** A `conversations` row (the columns the exports read). */
export interface TranscriptConversationRow {
  uuid: string;
  name: string | null;
  contactJid: string | null;
  created: number | bigint | string | null;
  status: number | bigint | string | null;
  mode: number | bigint | string | null;
}

/** An `accounts` row (the columns the exports read). */
export interface TranscriptAccountRow {
  uuid: string;
  username: string | null;
  server: string | null;
  display_name: string | null;
}

export interface ConversationStats {
  /** How many messages the conversation holds. */
  n: number;
  first: number | null;
  last: number | null;
}

const MESSAGE_COLUMNS = `uuid, conversationUuid, timeSent, counterpart, trueCounterpart, body, encryption,
  status, type, relativeFilePath, serverMsgId, remoteMsgId, edited, deleted, oob`;

export function listTranscriptAccounts(db: Database.Database): TranscriptAccountRow[] {
  return db
    .prepare('SELECT uuid, username, server, display_name FROM accounts ORDER BY username, server')
    .all() as TranscriptAccountRow[];
}

/**
 * One account's conversations and messages, with statements prepared once. better-sqlite3 allows
 * one open iterator per connection: iterate one conversation's messages at a time.
 */
export class TranscriptQueries {
  private readonly messagesStmt: Database.Statement;
  private readonly statsStmt: Database.Statement;
  private readonly lastStmt: Database.Statement;

  constructor(private readonly db: Database.Database) {
    this.messagesStmt = db.prepare(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conversationUuid = ? ORDER BY timeSent, rowid`,
    );
    this.statsStmt = db.prepare(
      `SELECT COUNT(*) AS n, MIN(timeSent) AS first, MAX(timeSent) AS last FROM messages
       WHERE conversationUuid = ?`,
    );
    this.lastStmt = db.prepare(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conversationUuid = ?
       ORDER BY timeSent DESC, rowid DESC LIMIT 1`,
    );
  }

  /** The account's conversations, in no particular order. */
  conversations(accountUuid: string): TranscriptConversationRow[] {
    return this.db
      .prepare(
        `SELECT uuid, name, contactJid, created, status, mode FROM conversations WHERE accountUuid = ?`,
      )
      .all(accountUuid) as TranscriptConversationRow[];
  }

  stats(conversationUuid: string): ConversationStats {
    return this.statsStmt.get(conversationUuid) as ConversationStats;
  }

  /** The conversation's newest message (ties: the last inserted). */
  lastMessage(conversationUuid: string): TranscriptMessageRow | undefined {
    return this.lastStmt.get(conversationUuid) as TranscriptMessageRow | undefined;
  }

  /** The conversation's messages, oldest first (ties in insertion order). */
  messages(conversationUuid: string): Iterable<TranscriptMessageRow> {
    return this.messagesStmt.iterate(conversationUuid) as Iterable<TranscriptMessageRow>;
  }
}
