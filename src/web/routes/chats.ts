import { formatBytes } from '../../export/byte-size.js';
import type { FastifyInstance } from 'fastify';
import { listConversationSummaries, type ConversationRow } from '../../store/conversations.js';
import { CONVERSATION_MODE, CONVERSATION_STATUS } from '../../store/codes.js';
import {
  listMessages,
  markConversationRead,
  MESSAGE_ENCRYPTION,
  MESSAGE_STATUS,
  MESSAGE_TYPE,
  type MessageRow,
} from '../../store/messages.js';
import { storedRoomEncryption } from '../../xmpp/rooms.js';
import { parseFileBody } from '../../export/message-view.js';
import { findMediaFile } from '../../migration/media/layout.js';
import type {
  ChatSummary,
  ConversationView,
  FileView,
  MessageSecurity,
  MessageView,
} from '../api-types.js';
import type { WebContext } from '../context.js';
import { errorBody } from '../user-errors.js';
import { route } from './route.js';

export type { MessageSecurity } from '../api-types.js';

export function messageSecurity(encryption: number): MessageSecurity {
  switch (encryption) {
    case MESSAGE_ENCRYPTION.none:
      return 'none';
    case MESSAGE_ENCRYPTION.omemo:
    case MESSAGE_ENCRYPTION.decrypted:
      return 'omemo';
    case MESSAGE_ENCRYPTION.omemoFailed:
    case MESSAGE_ENCRYPTION.omemoNotForThisDevice:
    case MESSAGE_ENCRYPTION.decryptionFailed:
      return 'unable-to-decrypt';
    default:
      return 'other';
  }
}

/**
 * A file message as a person reads it, the same words as the HTML export: its name, size and
 * picture size ("Grüße.png (3.0 MiB, 2985×755)"), never the raw `url|size|width|height` body.
 */
export function fileView(
  m: Pick<MessageRow, 'relativeFilePath' | 'body'>,
  profileDir: string | undefined,
): FileView | null {
  if (!m.relativeFilePath) return null;
  const parsed = parseFileBody(m.body);
  const path = m.relativeFilePath;
  const segment =
    path
      .replace(/[/\\]+$/, '')
      .split(/[/\\]/)
      .pop() ?? '';
  let name = segment;
  if (name === '' && parsed.url) {
    try {
      name = decodeURIComponent(new URL(parsed.url).pathname.split('/').pop() ?? '');
    } catch {
      name = '';
    }
  }
  const details: string[] = [];
  if (parsed.size !== null) details.push(formatBytes(parsed.size));
  if (parsed.width && parsed.height) details.push(`${parsed.width}×${parsed.height}`);
  return {
    name: name || 'file',
    details: details.join(', '),
    onThisDevice: profileDir !== undefined && findMediaFile(profileDir, path) !== null,
    url: parsed.url && /^https?:\/\//i.test(parsed.url) ? parsed.url : null,
  };
}

/** The message as the conversation view shows it; an undecryptable body is never shown as text. */
export function messageView(m: MessageRow, profileDir?: string): MessageView {
  const security = messageSecurity(m.encryption);
  const file = security === 'unable-to-decrypt' ? null : fileView(m, profileDir);
  return {
    uuid: m.uuid,
    time: m.timeSent,
    direction: m.status === MESSAGE_STATUS.received ? 'in' : 'out',
    sender: m.counterpart,
    body: security === 'unable-to-decrypt' ? null : m.body,
    security,
    status: m.status,
    failed: m.status === MESSAGE_STATUS.sendFailed,
    kind:
      m.type === MESSAGE_TYPE.status
        ? 'status'
        : m.type === MESSAGE_TYPE.call
          ? 'call'
          : file
            ? 'file'
            : 'text',
    file,
    edited: m.edited !== null && m.edited !== '' && m.edited !== '[]',
  };
}

/**
 * The OMEMO state of a chat as its header shows it. A group chat: what the engine worked out when it
 * last joined the room (rooms.ts), when it knows. Otherwise what the messages shown carry, so the
 * header never says "Not encrypted" above messages with the lock. (Conversations' `next_encryption`
 * setting is not what ferry sends with: ferry encrypts whenever the contact has OMEMO devices.)
 */
export function chatEncryption(
  row: ConversationRow,
  recent: MessageRow[],
): 'omemo' | 'none' | 'mixed' {
  if (row.mode === CONVERSATION_MODE.group) {
    const stored = storedRoomEncryption(row).state;
    if (stored !== 'unknown') return stored;
  }
  const shown = recent.filter((m) => m.type !== MESSAGE_TYPE.status);
  const locked = shown.filter((m) => messageSecurity(m.encryption) !== 'none').length;
  if (locked === 0) return 'none';
  return locked === shown.length ? 'omemo' : 'mixed';
}

function conversationView(row: ConversationRow, accountJid: string): ConversationView {
  return {
    uuid: row.uuid,
    account: accountJid,
    with: row.contactJid,
    name: row.name || (row.contactJid.split('/')[0] ?? row.contactJid),
    group: row.mode === CONVERSATION_MODE.group,
    archived: row.status === CONVERSATION_STATUS.archived,
  };
}

/** Chats: conversations with last message and unread count, history, sending. */
export function registerChatRoutes(app: FastifyInstance, ctx: WebContext): void {
  const db = ctx.profile.db;
  route(app, 'GET /api/chats', async () => ({
    conversations: listConversationSummaries(db).map((s): ChatSummary => ({
      ...conversationView(s.conversation, s.accountJid),
      unread: s.unread,
      lastMessage: s.lastMessage
        ? {
            body:
              messageSecurity(s.lastMessage.encryption) === 'unable-to-decrypt'
                ? null
                : s.lastMessage.body,
            time: s.lastMessage.timeSent,
            security: messageSecurity(s.lastMessage.encryption),
            direction: s.lastMessage.status === MESSAGE_STATUS.received ? 'in' : 'out',
          }
        : null,
    })),
  }));

  route(app, 'GET /api/chats/:uuid', async (request, reply) => {
    const summary = listConversationSummaries(db).find(
      (s) => s.conversation.uuid === request.params.uuid,
    );
    if (!summary)
      return reply.code(404).send({
        error: 'This chat is not on this device.',
        hint: 'Go back to the list of chats.',
      });
    const limit = Math.min(Math.max(Number(request.query.limit ?? 500) || 500, 1), 5000);
    const messages = listMessages(db, summary.conversation.uuid, limit);
    markConversationRead(db, summary.conversation.uuid);
    return {
      conversation: {
        ...conversationView(summary.conversation, summary.accountJid),
        encryption: chatEncryption(summary.conversation, messages),
        ...(summary.conversation.mode === CONVERSATION_MODE.group
          ? { encryptionReason: storedRoomEncryption(summary.conversation).reason }
          : {}),
      },
      messages: messages.map((m) => messageView(m, ctx.profile.dir)),
    };
  });

  route(app, 'POST /api/chats/:uuid/messages', async (request, reply) => {
    const text = request.body?.text;
    if (typeof text !== 'string' || text.trim() === '') {
      return reply.code(400).send({ error: 'Type a message first.', hint: '' });
    }
    const summary = listConversationSummaries(db).find(
      (s) => s.conversation.uuid === request.params.uuid,
    );
    if (!summary)
      return reply.code(404).send({
        error: 'This chat is not on this device.',
        hint: 'Go back to the list of chats.',
      });
    try {
      const message = await ctx.live.sendMessage(
        summary.accountJid,
        summary.conversation.contactJid,
        text,
      );
      return { message: message ? messageView(message) : null };
    } catch (err) {
      return reply.code(502).send(errorBody(err));
    }
  });
}
