/**
 * What ferry does when an account's new session starts (not when a stream is resumed), in
 * order: the roster, initial presence, message carbons, the crypto plugin's `onOnline` (OMEMO
 * device list and bundle), the catch-up of the account's own archive, then each group chat of
 * the profile — joined, its encryption refreshed (configuration, members, their devices), its
 * archive caught up — and finally waiting until every message received meanwhile is stored.
 *
 *   const start = beginSession(session);         // before any stanza of the session is stored
 *   const done = await runSession(session, start, isCurrent);  // true: caught up
 */
import { xml } from '@xmpp/client';
import type Database from 'better-sqlite3';
import type { AccountRow } from '../store/accounts.js';
import { listGroupConversations } from '../store/conversations.js';
import type { ArchiveTransport } from './archive-query.js';
import {
  catchUpArchive,
  startPositionFor,
  type CatchupOptions,
  type StartPosition,
} from './catchup.js';
import type { MessageCrypto, XmppChannel } from './crypto-hook.js';
import type { MessageIntake } from './message-intake.js';
import { joinRoom, refreshRoomEncryption, type JoinedRoom } from './rooms.js';
import type { Roster } from './roster.js';
import { bareJid, NS } from './stanza.js';

/** What a session's work uses of its account connection. */
export interface SessionParts {
  db: Database.Database;
  account: AccountRow;
  /** IQs and stanzas over the connection (they fail once it is offline). */
  channel: XmppChannel;
  /** Archive queries over the connection (see ./archive-routing.ts). */
  archives: ArchiveTransport;
  intake: MessageIntake;
  /** The rooms joined in the current session, by room JID. */
  rooms: Map<string, JoinedRoom>;
  roster: Roster;
  crypto: MessageCrypto | undefined;
  catchup: CatchupOptions;
}

/**
 * Forgets what belonged to the previous session (rooms, contacts' presence, the catch-up flag)
 * and decides where the catch-up of the account's archive starts. Call it as the session comes
 * online, before any stanza of it is stored.
 */
export function beginSession(s: SessionParts): StartPosition {
  for (const room of s.rooms.values()) room.close();
  s.rooms.clear();
  s.roster.clearPresence();
  const accountStart = startPositionFor(s.db, s.account.uuid, undefined);
  s.intake.setArchiveCaughtUp(undefined, false);
  return accountStart;
}

/**
 * Runs the session's work. Resolves true once everything is caught up and stored, false when
 * the session stopped being the current one meanwhile (`isCurrent`); rejects when the connection
 * dropped in the middle (the next session resumes from the saved archive positions).
 */
export async function runSession(
  s: SessionParts,
  accountStart: StartPosition,
  isCurrent: () => boolean,
): Promise<boolean> {
  const { db, channel, crypto } = s;
  const accountUuid = s.account.uuid;
  const roster = await channel
    .iq(xml('iq', { type: 'get' }, xml('query', { xmlns: NS.roster })))
    .catch(() => undefined);
  if (roster) s.roster.load(roster);
  await channel.send(xml('presence'));
  await channel
    .iq(xml('iq', { type: 'set' }, xml('enable', { xmlns: NS.carbons })))
    .catch(() => {});
  if (crypto?.onOnline) await crypto.onOnline(channel);
  if (!isCurrent()) return false;
  await catchUpArchive({
    db,
    transport: s.archives,
    intake: s.intake,
    accountUuid,
    archiveJid: undefined,
    start: accountStart,
    options: s.catchup,
    isCurrent,
  });
  for (const conversation of listGroupConversations(db, accountUuid)) {
    if (!isCurrent()) return false;
    // The start is decided before joining, so live room messages can't move it.
    const start = startPositionFor(db, accountUuid, {
      jid: bareJid(conversation.contactJid),
      conversationUuid: conversation.uuid,
    });
    const room = await joinRoom(channel, s.account, conversation).catch(() => undefined);
    if (!room) continue;
    s.rooms.set(room.jid, room);
    // OMEMO in the room needs its configuration and members (and their device lists) first.
    const refresh = () => refreshRoomEncryption(db, channel, crypto, room, conversation);
    room.onConfigurationChange(
      () =>
        void room
          .discover(channel)
          .then(refresh)
          .catch(() => {}),
    );
    await refresh().catch(() => {});
    await catchUpArchive({
      db,
      transport: s.archives,
      intake: s.intake,
      accountUuid,
      archiveJid: room.jid,
      start,
      options: s.catchup,
      isCurrent,
    }).catch(() => {});
  }
  if (!isCurrent()) return false;
  await s.intake.idle();
  return true;
}
