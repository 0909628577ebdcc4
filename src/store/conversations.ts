import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import {
  CONVERSATION_MODE,
  CONVERSATION_STATUS,
  MESSAGE_STATUS,
  MESSAGE_TYPE,
  type ConversationMode,
} from './codes.js';
import { cachedStatement } from './statements.js';

export { CONVERSATION_MODE, CONVERSATION_STATUS } from './codes.js';

/** A `conversations` row (Conversations' columns). */
export interface ConversationRow {
  uuid: string;
  name: string | null;
  contactUuid: string | null;
  accountUuid: string;
  /** One-to-one: the contact's bare JID. Group chat: the room JID, optionally `/nick`. */
  contactJid: string;
  created: number;
  status: number;
  mode: number;
  attributes: string | null;
}

/** The bare part of a JID (`a@b/c` → `a@b`), lower-cased as XMPP compares it. */
export function bareJid(jid: string): string {
  const slash = jid.indexOf('/');
  return (slash === -1 ? jid : jid.slice(0, slash)).toLowerCase();
}

/** The resource of a JID, or undefined. */
export function jidResource(jid: string): string | undefined {
  const slash = jid.indexOf('/');
  return slash === -1 ? undefined : jid.slice(slash + 1);
}

/**
 * Finds the account's conversation with a contact or room. Like Conversations it matches the
 * stored `contactJid` either exactly (bare) or with any resource (a room stored as `room/nick`).
 */
export function findConversation(
  db: Database.Database,
  accountUuid: string,
  jid: string,
): ConversationRow | undefined {
  const bare = bareJid(jid);
  return cachedStatement(
    db,
    `SELECT * FROM conversations WHERE accountUuid = ?
       AND (lower(contactJid) = ? OR substr(lower(contactJid), 1, ?) = ?)
     ORDER BY created LIMIT 1`,
  ).get(accountUuid, bare, bare.length + 1, `${bare}/`) as ConversationRow | undefined;
}

export interface NewConversation {
  accountUuid: string;
  /** Contact's JID (stored bare) or, for a group chat, the room JID (with `/nick` to keep one). */
  contactJid: string;
  mode: ConversationMode;
  name?: string | null;
  /** Milliseconds since the epoch; default now. */
  created?: number;
}

/**
 * Returns the account's conversation with `contactJid`, creating it as Conversations does (random
 * uuid, status available, attributes `{}`) when there is none. An archived conversation that gets
 * a new message is brought back (status available), as Conversations does.
 */
export function findOrCreateConversation(
  db: Database.Database,
  conv: NewConversation,
): { conversation: ConversationRow; created: boolean } {
  const existing = findConversation(db, conv.accountUuid, conv.contactJid);
  if (existing) return { conversation: existing, created: false };
  const stored =
    conv.mode === CONVERSATION_MODE.single ? bareJid(conv.contactJid) : conv.contactJid;
  const row: ConversationRow = {
    uuid: randomUUID(),
    name: conv.name ?? null,
    contactUuid: null,
    accountUuid: conv.accountUuid,
    contactJid: stored,
    created: conv.created ?? Date.now(),
    status: CONVERSATION_STATUS.available,
    mode: conv.mode,
    attributes: '{}',
  };
  db.prepare(
    `INSERT INTO conversations (uuid, name, contactUuid, accountUuid, contactJid, created, status, mode, attributes)
     VALUES (@uuid, @name, @contactUuid, @accountUuid, @contactJid, @created, @status, @mode, @attributes)`,
  ).run(row);
  return { conversation: row, created: true };
}

/** Sets a conversation's status back to available (Conversations un-archives on new messages). */
export function unarchiveConversation(db: Database.Database, uuid: string): void {
  db.prepare('UPDATE conversations SET status = ? WHERE uuid = ? AND status != ?').run(
    CONVERSATION_STATUS.available,
    uuid,
    CONVERSATION_STATUS.available,
  );
}

/** The account's group chats (mode 1) that are not archived: the rooms to join. */
export function listGroupConversations(
  db: Database.Database,
  accountUuid: string,
): ConversationRow[] {
  return db
    .prepare(
      'SELECT * FROM conversations WHERE accountUuid = ? AND mode = ? AND status = ? ORDER BY created',
    )
    .all(accountUuid, CONVERSATION_MODE.group, CONVERSATION_STATUS.available) as ConversationRow[];
}

/** The uuids of the account's conversations of one mode (one-to-one or group chats). */
export function listConversationUuids(
  db: Database.Database,
  accountUuid: string,
  mode: ConversationMode,
): string[] {
  return db
    .prepare('SELECT uuid FROM conversations WHERE accountUuid = ? AND mode = ?')
    .pluck()
    .all(accountUuid, mode) as string[];
}

/** A conversation with what a chat list shows: the last message and the unread count. */
export interface ConversationSummary {
  conversation: ConversationRow;
  accountJid: string;
  lastMessage: { body: string | null; timeSent: number; status: number; encryption: number } | null;
  unread: number;
}

/** Every conversation of the profile (or of one account), newest activity first. */
export function listConversationSummaries(
  db: Database.Database,
  accountUuid?: string,
): ConversationSummary[] {
  const rows = db
    .prepare(
      `SELECT c.*, a.username || '@' || a.server AS accountJid,
         (SELECT COUNT(*) FROM messages m WHERE m.conversationUuid = c.uuid AND m.read = 0
            AND m.status = @received AND m.deleted = 0) AS unread,
         (SELECT m.rowid FROM messages m WHERE m.conversationUuid = c.uuid AND m.deleted = 0
            AND m.type != @statusType ORDER BY m.timeSent DESC, m.rowid DESC LIMIT 1) AS lastRowid
       FROM conversations c JOIN accounts a ON a.uuid = c.accountUuid
       WHERE (@account IS NULL OR c.accountUuid = @account)`,
    )
    .all({
      account: accountUuid ?? null,
      received: MESSAGE_STATUS.received,
      statusType: MESSAGE_TYPE.status,
    }) as (ConversationRow & {
    accountJid: string;
    unread: number;
    lastRowid: number | null;
  })[];
  const lastStmt = db.prepare(
    'SELECT body, timeSent, status, encryption FROM messages WHERE rowid = ?',
  );
  const summaries = rows.map(({ accountJid, unread, lastRowid, ...conversation }) => ({
    conversation,
    accountJid,
    unread,
    lastMessage:
      lastRowid === null
        ? null
        : ((lastStmt.get(lastRowid) as ConversationSummary['lastMessage']) ?? null),
  }));
  summaries.sort(
    (a, b) =>
      (b.lastMessage?.timeSent ?? b.conversation.created) -
      (a.lastMessage?.timeSent ?? a.conversation.created),
  );
  return summaries;
}

/** A conversation's `attributes` (Conversations keeps a JSON object of strings there). */
export function conversationAttributes(
  row: Pick<ConversationRow, 'attributes'>,
): Record<string, string> {
  if (!row.attributes) return {};
  try {
    const parsed: unknown = JSON.parse(row.attributes);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
      if (typeof v === 'string') out[k] = v;
      else if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
    }
    return out;
  } catch {
    return {};
  }
}

/**
 * Sets (or, with `undefined`, removes) some attributes of a conversation, keeping the others
 * (Conversations' own keys such as `members_only` stay as Conversations writes them).
 */
export function setConversationAttributes(
  db: Database.Database,
  uuid: string,
  patch: Record<string, string | undefined>,
): void {
  db.transaction(() => {
    const row = db.prepare('SELECT attributes FROM conversations WHERE uuid = ?').get(uuid) as
      Pick<ConversationRow, 'attributes'> | undefined;
    if (!row) return;
    let raw: Record<string, unknown> = {};
    try {
      const parsed: unknown = row.attributes ? JSON.parse(row.attributes) : {};
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed))
        raw = parsed as Record<string, unknown>;
    } catch {
      raw = {};
    }
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined) delete raw[k];
      else raw[k] = v;
    }
    db.prepare('UPDATE conversations SET attributes = ? WHERE uuid = ?').run(
      JSON.stringify(raw),
      uuid,
    );
  })();
}
