/** Group chats (XEP-0045): joining the rooms of the profile's group conversations. */
import { xml } from '@xmpp/client';
import type { Element } from '@xmpp/xml';
import type { AccountRow } from '../store/accounts.js';
import type { ConversationRow } from '../store/conversations.js';
import type { XmppChannel } from './crypto-hook.js';
import type { RoomInfo } from './message-intake.js';
import { bareJid, errorText, jidResource, NS } from './stanza.js';

export type JoinedRoom = RoomInfo;

/**
 * The nickname to join with: the one stored with the conversation (`room@service/nick`, as
 * Conversations keeps it), else the account's user name.
 */
export function roomNick(
  conversation: ConversationRow,
  account: Pick<AccountRow, 'username'>,
): string {
  const stored = jidResource(conversation.contactJid);
  return stored && stored !== '' ? stored : account.username;
}

function isSelfPresence(stanza: Element): boolean {
  const x = stanza.getChild('x', NS.mucUser);
  return x?.getChildren('status').some((s) => s.attrs.code === '110') ?? false;
}

/**
 * Joins a room without history (the archive catch-up fetches what was missed) and resolves when
 * the room confirms our presence; rejects with the room's error (banned, members only, …).
 */
export async function joinRoom(
  channel: XmppChannel,
  account: Pick<AccountRow, 'username'>,
  conversation: ConversationRow,
  timeoutMs = 15_000,
): Promise<JoinedRoom> {
  const room = bareJid(conversation.contactJid);
  const nick = roomNick(conversation, account);
  const full = `${room}/${nick}`;
  let release: () => void = () => {};
  let timer: NodeJS.Timeout | undefined;
  const joined = new Promise<JoinedRoom>((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`joining ${room} timed out`)), timeoutMs);
    release = channel.onStanza((stanza) => {
      if (!stanza.is('presence')) return;
      const from = stanza.attrs.from as string | undefined;
      if (!from || bareJid(from) !== room) return;
      if (stanza.attrs.type === 'error') {
        clearTimeout(timer);
        reject(new Error(`cannot join ${room}: ${errorText(stanza)}`));
      } else if (isSelfPresence(stanza) || from === full) {
        clearTimeout(timer);
        resolve({
          jid: room,
          nick: jidResource(from) ?? nick,
          conversationUuid: conversation.uuid,
        });
      }
    });
  });
  joined.catch(() => {}); // awaited below; never left unhandled if sending fails first
  try {
    await channel.send(
      xml(
        'presence',
        { to: full },
        xml('x', { xmlns: NS.muc }, xml('history', { maxstanzas: '0' })),
      ),
    );
    return await joined;
  } finally {
    clearTimeout(timer);
    release();
  }
}
