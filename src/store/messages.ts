import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { MESSAGE_ENCRYPTION, MESSAGE_STATUS, MESSAGE_TYPE } from './codes.js';
import { cachedStatement } from './statements.js';

export { MESSAGE_ENCRYPTION, MESSAGE_STATUS, MESSAGE_TYPE } from './codes.js';

/** A `messages` row with the columns Conversations fills (more may exist in the table). */
export interface MessageRow {
  uuid: string;
  conversationUuid: string;
  timeSent: number;
  /** One-to-one: the contact's (full) JID. Group chat: `room@service/nick`. */
  counterpart: string | null;
  trueCounterpart: string | null;
  body: string | null;
  encryption: number;
  status: number;
  type: number;
  relativeFilePath: string | null;
  /** The server's stanza-id (XEP-0359): the archive id. */
  serverMsgId: string | null;
  axolotl_fingerprint: string | null;
  carbon: number;
  edited: string | null;
  read: number;
  oob: number;
  errorMsg: string | null;
  readByMarkers: string | null;
  markable: number;
  deleted: number;
  bodyLanguage: string | null;
  /** The sender's `id` attribute. */
  remoteMsgId: string | null;
  occupantId: string | null;
  reactions: string | null;
}

export type NewMessage = Pick<MessageRow, 'conversationUuid' | 'timeSent' | 'status'> &
  Partial<MessageRow>;

/**
 * ferry's own indexes for finding a message by archive id or sender id (duplicate checks during
 * catch-up). Indexes are not part of a backup; Conversations' tables stay as they are.
 */
export function ensureMessageIndexes(db: Database.Database): void {
  db.exec(`CREATE INDEX IF NOT EXISTS ferry_messages_server_id ON messages(conversationUuid, serverMsgId);
    CREATE INDEX IF NOT EXISTS ferry_messages_remote_id ON messages(conversationUuid, remoteMsgId)`);
}

/** Inserts a message with Conversations' defaults for what is not given; returns the full row. */
export function insertMessage(db: Database.Database, msg: NewMessage): MessageRow {
  const row: MessageRow = {
    uuid: randomUUID(),
    counterpart: null,
    trueCounterpart: null,
    body: null,
    encryption: MESSAGE_ENCRYPTION.none,
    type: MESSAGE_TYPE.text,
    relativeFilePath: null,
    serverMsgId: null,
    axolotl_fingerprint: null,
    carbon: 0,
    edited: '[]',
    read: 1,
    oob: 0,
    errorMsg: null,
    readByMarkers: '[]',
    markable: 0,
    deleted: 0,
    bodyLanguage: null,
    remoteMsgId: null,
    occupantId: null,
    reactions: null,
    ...msg,
  };
  cachedStatement(
    db,
    `INSERT INTO messages (uuid, conversationUuid, timeSent, counterpart, trueCounterpart, body,
       encryption, status, type, relativeFilePath, serverMsgId, axolotl_fingerprint, carbon, edited,
       read, oob, errorMsg, readByMarkers, markable, deleted, bodyLanguage, remoteMsgId, occupantId,
       reactions)
     VALUES (@uuid, @conversationUuid, @timeSent, @counterpart, @trueCounterpart, @body,
       @encryption, @status, @type, @relativeFilePath, @serverMsgId, @axolotl_fingerprint, @carbon,
       @edited, @read, @oob, @errorMsg, @readByMarkers, @markable, @deleted, @bodyLanguage,
       @remoteMsgId, @occupantId, @reactions)`,
  ).run(row);
  return row;
}

export function findMessageByServerId(
  db: Database.Database,
  conversationUuid: string,
  serverMsgId: string,
): MessageRow | undefined {
  return cachedStatement(
    db,
    'SELECT * FROM messages WHERE conversationUuid = ? AND serverMsgId = ? LIMIT 1',
  ).get(conversationUuid, serverMsgId) as MessageRow | undefined;
}

/**
 * Finds a message by the sender's id: an outgoing one by its uuid (the `id` ferry and Conversations
 * send) or remoteMsgId; an incoming one by remoteMsgId from the same counterpart (bare JID for
 * one-to-one, full `room/nick` for group chats).
 */
export function findMessageByRemoteId(
  db: Database.Database,
  conversationUuid: string,
  id: string,
  direction: 'incoming' | 'outgoing',
  counterpart: string | null,
  group: boolean,
): MessageRow | undefined {
  if (direction === 'outgoing') {
    const byUuid = cachedStatement(
      db,
      'SELECT * FROM messages WHERE uuid = ? AND conversationUuid = ? AND status != ?',
    ).get(id, conversationUuid, MESSAGE_STATUS.received) as MessageRow | undefined;
    return (
      byUuid ??
      (cachedStatement(
        db,
        'SELECT * FROM messages WHERE conversationUuid = ? AND remoteMsgId = ? AND status != ? LIMIT 1',
      ).get(conversationUuid, id, MESSAGE_STATUS.received) as MessageRow | undefined)
    );
  }
  const candidates = cachedStatement(
    db,
    'SELECT * FROM messages WHERE conversationUuid = ? AND status = ? AND remoteMsgId = ?',
  ).all(conversationUuid, MESSAGE_STATUS.received, id) as MessageRow[];
  if (!group || counterpart === null) return candidates[0];
  const who = counterpart.toLowerCase();
  return candidates.find((m) => (m.counterpart ?? '').toLowerCase() === who);
}

/** Records the archive id on a message that was stored before the server's id was known. */
export function setServerMsgId(db: Database.Database, uuid: string, serverMsgId: string): void {
  db.prepare('UPDATE messages SET serverMsgId = ? WHERE uuid = ? AND serverMsgId IS NULL').run(
    serverMsgId,
    uuid,
  );
}

/**
 * Raises an outgoing message's status after a receipt or marker (sent → received → displayed),
 * never lowering it. `id` is the id the message was sent with (uuid or remoteMsgId).
 */
export function raiseOutgoingStatus(
  db: Database.Database,
  conversationUuid: string,
  id: string,
  status: number,
): MessageRow | undefined {
  const msg = findMessageByRemoteId(db, conversationUuid, id, 'outgoing', null, false);
  if (!msg) return undefined;
  if (msg.status === MESSAGE_STATUS.sendFailed || msg.status >= status) return msg;
  db.prepare('UPDATE messages SET status = ? WHERE uuid = ?').run(status, msg.uuid);
  return { ...msg, status };
}

/** Marks an outgoing message as failed with the server's error text. */
export function markSendFailed(
  db: Database.Database,
  conversationUuid: string,
  id: string,
  errorMsg: string | null,
): void {
  const msg = findMessageByRemoteId(db, conversationUuid, id, 'outgoing', null, false);
  if (msg) setMessageSendFailed(db, msg.uuid, errorMsg);
}

/** The last `limit` messages of a conversation, oldest first (all when limit is undefined). */
export function listMessages(
  db: Database.Database,
  conversationUuid: string,
  limit?: number,
): MessageRow[] {
  const rows = db
    .prepare(
      `SELECT * FROM messages WHERE conversationUuid = ? AND deleted = 0
       ORDER BY timeSent DESC, rowid DESC LIMIT ?`,
    )
    .all(conversationUuid, limit ?? -1) as MessageRow[];
  return rows.reverse();
}

/** Marks every received message of a conversation as read; returns how many changed. */
export function markConversationRead(db: Database.Database, conversationUuid: string): number {
  return db
    .prepare('UPDATE messages SET read = 1 WHERE conversationUuid = ? AND read = 0 AND status = ?')
    .run(conversationUuid, MESSAGE_STATUS.received).changes;
}

/**
 * The newest archive id the profile holds for a set of conversations: where a catch-up from the
 * archive starts. Also returns that message's time, for a fallback when the server no longer
 * knows the id.
 */
export function newestServerMsgId(
  db: Database.Database,
  conversationUuids: readonly string[],
): { serverMsgId: string; timeSent: number } | undefined {
  if (conversationUuids.length === 0) return undefined;
  const marks = conversationUuids.map(() => '?').join(',');
  const row = db
    .prepare(
      `SELECT serverMsgId, timeSent FROM messages
       WHERE conversationUuid IN (${marks}) AND serverMsgId IS NOT NULL AND serverMsgId != ''
       ORDER BY timeSent DESC, rowid DESC LIMIT 1`,
    )
    .get(...conversationUuids) as { serverMsgId: string | number; timeSent: number } | undefined;
  return row ? { serverMsgId: String(row.serverMsgId), timeSent: row.timeSent } : undefined;
}

/** Marks the message with this uuid as failed to send, with the reason. */
export function setMessageSendFailed(
  db: Database.Database,
  uuid: string,
  errorMsg: string | null,
): void {
  db.prepare('UPDATE messages SET status = ?, errorMsg = ? WHERE uuid = ?').run(
    MESSAGE_STATUS.sendFailed,
    errorMsg,
    uuid,
  );
}

/** Marks an unsent message as sent (the server took it); a later status is kept. */
export function setMessageSent(db: Database.Database, uuid: string): void {
  db.prepare('UPDATE messages SET status = ? WHERE uuid = ? AND status = ?').run(
    MESSAGE_STATUS.sent,
    uuid,
    MESSAGE_STATUS.unsent,
  );
}

/** The time of a conversation's newest message (ms since the epoch), or null when it has none. */
export function newestMessageTime(db: Database.Database, conversationUuid: string): number | null {
  const row = db
    .prepare('SELECT MAX(timeSent) AS t FROM messages WHERE conversationUuid = ?')
    .get(conversationUuid) as { t: number | null };
  return row.t;
}
