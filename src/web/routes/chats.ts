import type { FastifyInstance } from 'fastify';
import { listConversationSummaries, type ConversationRow } from '../../store/conversations.js';
import {
  listMessages,
  markConversationRead,
  MESSAGE_ENCRYPTION,
  MESSAGE_STATUS,
  MESSAGE_TYPE,
  type MessageRow,
} from '../../store/messages.js';
import { storedRoomEncryption } from '../../xmpp/rooms.js';
import type { WebContext } from '../server.js';
import { describeUserError } from '../user-errors.js';

/** How a message's encryption is shown. */
export type MessageSecurity = 'none' | 'omemo' | 'unable-to-decrypt' | 'other';

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

/** The message as the conversation view shows it; an undecryptable body is never shown as text. */
export function messageView(m: MessageRow): Record<string, unknown> {
  const security = messageSecurity(m.encryption);
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
          : m.relativeFilePath
            ? 'file'
            : 'text',
    file: m.relativeFilePath,
    edited: m.edited !== null && m.edited !== '' && m.edited !== '[]',
  };
}

function attributes(row: ConversationRow): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(row.attributes ?? '{}');
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * The OMEMO state of a chat: Conversations keeps the chosen encryption in the conversation's
 * `next_encryption` attribute; without it, the chat's last messages tell.
 */
export function chatEncryption(row: ConversationRow, recent: MessageRow[]): 'omemo' | 'none' {
  if (row.mode === 1) {
    // A group chat: what the engine worked out when it last joined the room (rooms.ts).
    const stored = storedRoomEncryption(row).state;
    if (stored !== 'unknown') return stored;
  }
  const next = attributes(row)['next_encryption'];
  if (next !== undefined && next !== null && String(next) !== '') {
    return Number(next) === MESSAGE_ENCRYPTION.omemo ? 'omemo' : 'none';
  }
  const last = [...recent].reverse().find((m) => m.type !== MESSAGE_TYPE.status);
  return last && messageSecurity(last.encryption) !== 'none' ? 'omemo' : 'none';
}

function conversationView(row: ConversationRow, accountJid: string): Record<string, unknown> {
  return {
    uuid: row.uuid,
    account: accountJid,
    with: row.contactJid,
    name: row.name || row.contactJid.split('/')[0],
    group: row.mode === 1,
    archived: row.status === 1,
  };
}

/** Chats: conversations with last message and unread count, history, sending. */
export function registerChatRoutes(app: FastifyInstance, ctx: WebContext): void {
  const db = ctx.profile.db;
  app.get('/api/chats', async () => ({
    conversations: listConversationSummaries(db).map((s) => ({
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

  app.get<{ Params: { uuid: string }; Querystring: { limit?: string } }>(
    '/api/chats/:uuid',
    async (request, reply) => {
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
          ...(summary.conversation.mode === 1
            ? { encryptionReason: storedRoomEncryption(summary.conversation).reason }
            : {}),
        },
        messages: messages.map(messageView),
      };
    },
  );

  app.post<{ Params: { uuid: string }; Body: { text?: unknown } }>(
    '/api/chats/:uuid/messages',
    async (request, reply) => {
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
        const e = describeUserError(err);
        return reply.code(502).send({ error: e.message, hint: e.hint, kind: e.kind });
      }
    },
  );
}
