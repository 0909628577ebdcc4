/**
 * Every incoming message stanza — live, carbon copy, offline delivery, archive catch-up, room —
 * goes through here, one at a time per account (a queue), so that checking for a duplicate and
 * storing the message can't interleave. Duplicates are recognised by the server's stanza-id and
 * by the sender's message id (our own uuid for messages we sent).
 */
import type Database from 'better-sqlite3';
import type { Element } from '@xmpp/xml';
import {
  CONVERSATION_MODE,
  findConversation,
  findOrCreateConversation,
  jidResource,
  unarchiveConversation,
  type ConversationRow,
} from '../store/conversations.js';
import {
  findMessageByRemoteId,
  findMessageByServerId,
  insertMessage,
  markSendFailed,
  MESSAGE_ENCRYPTION,
  MESSAGE_STATUS,
  raiseOutgoingStatus,
  setServerMsgId,
  type MessageRow,
} from '../store/messages.js';
import { saveArchivePosition } from './archive-position.js';
import type { ArchiveItem } from './archive-query.js';
import type { DecryptContext, MessageCrypto, XmppChannel } from './crypto-hook.js';
import {
  bareJid,
  delayOf,
  errorText,
  messageIdOf,
  NS,
  stanzaIdBy,
  unwrapCarbon,
} from './stanza.js';

/** A group chat the account is in, as the intake needs it. */
export interface RoomInfo {
  jid: string;
  nick: string;
  conversationUuid: string;
}

export interface StoredMessageEvent {
  accountJid: string;
  /** Bare JID of the contact or room. */
  conversationJid: string;
  group: boolean;
  /** How it arrived; 'sent' for a message this engine sent. */
  source: DecryptContext['source'] | 'sent';
  message: MessageRow;
}

export interface IntakeOptions {
  accountUuid: string;
  accountJid: string;
  crypto: MessageCrypto | undefined;
  channel: XmppChannel;
  rooms: ReadonlyMap<string, RoomInfo>;
  sendReceipt(to: string, id: string): Promise<void>;
  onStored(event: StoredMessageEvent): void;
}

interface Arrival {
  source: DecryptContext['source'];
  /** Known from a carbon wrapper; otherwise derived from the sender. */
  direction?: 'incoming' | 'outgoing';
  /** Archive id and stamp for archive results. */
  archiveId?: string;
  stamp?: number;
  /** Room whose archive this came from. */
  archiveJid?: string;
  /** Messages of a first-connect window are history: stored as read. */
  history?: boolean;
}

export class MessageIntake {
  private queue: Promise<void> = Promise.resolve();
  /** Archives (key: room JID, '' for the account's own) whose catch-up is complete this session. */
  private readonly caughtUp = new Set<string>();

  constructor(
    private readonly db: Database.Database,
    private readonly opts: IntakeOptions,
  ) {}

  /** Resolves when everything queued so far is handled. */
  idle(): Promise<void> {
    return this.queue;
  }

  setArchiveCaughtUp(archiveJid: string | undefined, done: boolean): void {
    const key = archiveJid?.toLowerCase() ?? '';
    if (done) this.caughtUp.add(key);
    else this.caughtUp.delete(key);
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.queue.then(task);
    this.queue = run.catch(() => {});
    return run;
  }

  enqueueLive(stanza: Element): void {
    void this.enqueue(() => this.handleLive(stanza)).catch(() => {});
  }

  /** Stores one archive page, in order; resolves when done. */
  storeArchivePage(
    items: ArchiveItem[],
    archiveJid: string | undefined,
    history = false,
  ): Promise<void> {
    return this.enqueue(async () => {
      // One transaction per page: a page is stored entirely or not at all, and SQLite syncs once.
      const own = !this.db.inTransaction;
      if (own) this.db.exec('BEGIN IMMEDIATE');
      try {
        for (const item of items) {
          await this.handle(item.message, {
            source: 'mam',
            archiveId: item.archiveId,
            ...(item.stamp !== undefined ? { stamp: item.stamp } : {}),
            ...(archiveJid ? { archiveJid } : {}),
            history,
          });
        }
        if (own) this.db.exec('COMMIT');
      } catch (err) {
        if (own && this.db.inTransaction) this.db.exec('ROLLBACK');
        throw err;
      }
    });
  }

  private async handleLive(outer: Element): Promise<void> {
    const own = this.opts.accountJid;
    const from = outer.attrs.from as string | undefined;
    if (from === undefined || bareJid(from) === own) {
      const carbon = unwrapCarbon(outer, own);
      if (carbon) {
        await this.handle(carbon.message, { source: 'carbon', direction: carbon.direction });
        return;
      }
    } else if (outer.getChild('received', NS.carbons) || outer.getChild('sent', NS.carbons)) {
      return; // a forged carbon from someone else: ignore
    }
    const delayed = outer.getChild('delay', NS.delay) !== undefined;
    await this.handle(outer, { source: delayed ? 'offline' : 'live' });
  }

  private async handle(message: Element, arrival: Arrival): Promise<void> {
    const own = this.opts.accountJid;
    const type = (message.attrs.type as string | undefined) ?? 'normal';
    const from = (message.attrs.from as string | undefined) ?? own;
    const to = (message.attrs.to as string | undefined) ?? own;
    const group = type === 'groupchat';
    const room = group ? this.opts.rooms.get(bareJid(from)) : undefined;

    if (type === 'error') {
      const conversation = findConversation(this.db, this.opts.accountUuid, from);
      const id = message.attrs.id as string | undefined;
      if (conversation && id) markSendFailed(this.db, conversation.uuid, id, errorText(message));
      return;
    }
    if (type === 'headline') return;

    let direction: 'incoming' | 'outgoing';
    let conversation: ConversationRow | undefined;
    if (group) {
      conversation =
        (room && findConversation(this.db, this.opts.accountUuid, room.jid)) ||
        findConversation(this.db, this.opts.accountUuid, from);
      if (!conversation || conversation.mode !== CONVERSATION_MODE.group) return;
      const nick = jidResource(from);
      direction =
        arrival.direction ??
        (room && nick !== undefined && nick === room.nick ? 'outgoing' : 'incoming');
    } else {
      direction = arrival.direction ?? (bareJid(from) === own ? 'outgoing' : 'incoming');
      const contact = direction === 'incoming' ? from : to;
      conversation = findConversation(this.db, this.opts.accountUuid, contact);
    }
    const conversationJid = group ? bareJid(from) : bareJid(direction === 'incoming' ? from : to);

    // Receipts and markers update what we sent (one-to-one only).
    const id = messageIdOf(message);
    if (!group && direction === 'incoming' && conversation) {
      const received = message.getChild('received', NS.receipts)?.attrs.id as string | undefined;
      if (received)
        raiseOutgoingStatus(this.db, conversation.uuid, received, MESSAGE_STATUS.sentReceived);
      const displayed = message.getChild('displayed', NS.markers)?.attrs.id as string | undefined;
      if (displayed)
        raiseOutgoingStatus(this.db, conversation.uuid, displayed, MESSAGE_STATUS.sentDisplayed);
    }

    const stanzaId =
      arrival.archiveId ??
      (group
        ? stanzaIdBy(message, bareJid(from))
        : direction === 'incoming'
          ? stanzaIdBy(message, own)
          : undefined);
    const archiveKey = arrival.archiveJid?.toLowerCase() ?? (group ? bareJid(from) : '');

    const context: DecryptContext = {
      source: arrival.source,
      direction,
      from,
      senderBareJid: group ? realJidOf(message) : bareJid(from),
      conversationJid,
      group,
      serverMsgId: stanzaId,
    };
    let body = message.getChildText('body') ?? null;
    let encryption: number = MESSAGE_ENCRYPTION.none;
    let fingerprint: string | null = null;
    if (this.opts.crypto?.decryptIncoming) {
      const decrypted = await this.opts.crypto.decryptIncoming(this.opts.channel, message, context);
      if (decrypted) {
        body = decrypted.body;
        encryption = decrypted.encryption;
        fingerprint = decrypted.fingerprint ?? null;
      }
    }
    if (body === null && encryption === MESSAGE_ENCRYPTION.none) {
      this.advancePosition(archiveKey, arrival, stanzaId);
      return; // chat states, markers, receipts: nothing to store
    }

    if (!conversation) {
      conversation = findOrCreateConversation(this.db, {
        accountUuid: this.opts.accountUuid,
        contactJid: conversationJid,
        mode: CONVERSATION_MODE.single,
      }).conversation;
    }
    const counterpart = group ? from : direction === 'incoming' ? from : to;

    const stored = this.db.transaction((): MessageRow | undefined => {
      const conv = conversation;
      if (stanzaId && findMessageByServerId(this.db, conv.uuid, stanzaId)) return undefined;
      if (id) {
        const same = findMessageByRemoteId(this.db, conv.uuid, id, direction, counterpart, group);
        if (same) {
          if (stanzaId) setServerMsgId(this.db, same.uuid, stanzaId);
          return undefined;
        }
      }
      const timeSent = orderedTime(this.db, conv.uuid, arrival.stamp ?? delayOf(message));
      const row = insertMessage(this.db, {
        conversationUuid: conv.uuid,
        timeSent,
        counterpart,
        trueCounterpart: group ? (realJidOf(message) ?? null) : null,
        body,
        encryption,
        axolotl_fingerprint: fingerprint,
        status: direction === 'incoming' ? MESSAGE_STATUS.received : MESSAGE_STATUS.sent,
        serverMsgId: stanzaId ?? null,
        remoteMsgId: id ?? null,
        carbon: arrival.source === 'carbon' ? 1 : 0,
        read: direction === 'incoming' && !arrival.history ? 0 : 1,
        markable: message.getChild('markable', NS.markers) ? 1 : 0,
        occupantId:
          (message.getChild('occupant-id', NS.occupantId)?.attrs.id as string | undefined) ?? null,
      });
      unarchiveConversation(this.db, conv.uuid);
      return row;
    })();
    this.advancePosition(archiveKey, arrival, stanzaId);
    if (!stored) return;

    if (
      direction === 'incoming' &&
      !group &&
      (arrival.source === 'live' || arrival.source === 'offline') &&
      id &&
      message.getChild('request', NS.receipts)
    ) {
      await this.opts.sendReceipt(from, id).catch(() => {});
    }
    this.opts.onStored({
      accountJid: own,
      conversationJid,
      group,
      source: arrival.source,
      message: stored,
    });
  }

  /** A live message with an archive id moves the saved catch-up position once the catch-up is done. */
  private advancePosition(
    archiveKey: string,
    arrival: Arrival,
    stanzaId: string | undefined,
  ): void {
    if (arrival.source === 'mam' || !stanzaId) return;
    if (!this.caughtUp.has(archiveKey)) return;
    saveArchivePosition(this.db, this.opts.accountUuid, archiveKey, {
      lastId: stanzaId,
      lastTime: Date.now(),
    });
  }
}

/**
 * The time to store: the server's stamp, or now for a live message. Servers such as Prosody stamp
 * whole seconds, so the true time lies in [stamp, stamp + 1 s); when the conversation's newest
 * message falls inside that second, the stamp is moved up to it so the conversation keeps the
 * order in which the server delivered the messages.
 */
function orderedTime(
  db: Database.Database,
  conversationUuid: string,
  stamp: number | undefined,
): number {
  if (stamp === undefined) return Date.now();
  if (stamp % 1000 !== 0) return stamp;
  const newest = db
    .prepare('SELECT MAX(timeSent) AS t FROM messages WHERE conversationUuid = ?')
    .get(conversationUuid) as { t: number | null };
  if (newest.t !== null && newest.t > stamp && newest.t < stamp + 1000) return newest.t;
  return stamp;
}

/** The occupant's real JID in a (non-anonymous) room, when the room shares it. */
function realJidOf(message: Element): string | undefined {
  const jid = message.getChild('x', NS.mucUser)?.getChild('item')?.attrs.jid as string | undefined;
  return jid ? bareJid(jid) : undefined;
}
