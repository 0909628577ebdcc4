/**
 * Every incoming message stanza — live, carbon copy, offline delivery, archive catch-up, room —
 * goes through here, one at a time per account (a queue), so that checking for a duplicate and
 * storing the message can't interleave. Duplicates are recognised by the server's stanza-id and
 * by the sender's message id (our own uuid for messages we sent). When the profile database is
 * busy (another connection holds its write lock, e.g. a backup import), the stanza stays at the
 * head of the queue and its writes are retried asynchronously, so nothing is dropped or reordered.
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
  MESSAGE_TYPE,
  newestMessageTime,
  raiseOutgoingStatus,
  setServerMsgId,
  type MessageRow,
} from '../store/messages.js';
import { saveArchivePosition, type ArchivePosition } from '../store/archive-position.js';
import { writeWhenFree } from './busy-database.js';
import type { ArchiveItem } from './archive-query.js';
import type { DecryptContext, MessageCrypto, RoomView, XmppChannel } from './crypto-hook.js';
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
  /** The real bare JID behind `room/nick`, as the room's presences told (see rooms.ts). */
  realJidOf?(fullJid: string): string | undefined;
  /** The room's configuration and members, for the crypto plugin. */
  view?(encryptedBefore: boolean): RoomView;
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
  /**
   * True once the account is stopping: a write waiting for a busy database then gives up (the
   * message stays in the server's archive; the catch-up position was not moved past it).
   */
  isStopping?(): boolean;
}

/** A message read and decrypted, waiting to be stored. */
interface Prepared {
  message: Element;
  arrival: Arrival;
  direction: 'incoming' | 'outgoing';
  group: boolean;
  conversationJid: string;
  counterpart: string;
  id: string | undefined;
  stanzaId: string | undefined;
  archiveKey: string;
  /** Group chat: the sender's real bare JID, when known from a source that can be trusted. */
  trueCounterpart: string | undefined;
  body: string | null;
  encryption: number;
  fingerprint: string | null;
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

  /** Runs a database write, retrying asynchronously while the database is busy. */
  private write<T>(write: () => T): Promise<T> {
    return writeWhenFree(this.db, write, () => !(this.opts.isStopping?.() ?? false));
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

  /**
   * Stores one archive page, in order; resolves when done. Messages are decrypted first, then
   * the whole page goes into the database in one transaction (stored entirely or not at all),
   * together with the catch-up `position` after it when given, so the position never moves past
   * messages not stored.
   */
  storeArchivePage(
    items: ArchiveItem[],
    archiveJid: string | undefined,
    history = false,
    position?: ArchivePosition,
  ): Promise<void> {
    return this.enqueue(async () => {
      const prepared: Prepared[] = [];
      for (const item of items) {
        const p = await this.prepare(item.message, {
          source: 'mam',
          archiveId: item.archiveId,
          ...(item.stamp !== undefined ? { stamp: item.stamp } : {}),
          ...(archiveJid ? { archiveJid } : {}),
          history,
        });
        if (p) prepared.push(p);
      }
      const rows = await this.write(() =>
        this.db.transaction(() => {
          const stored = prepared.map((p) => this.commit(p));
          if (position) {
            saveArchivePosition(this.db, this.opts.accountUuid, archiveJid ?? '', position);
          }
          return stored;
        })(),
      );
      for (const [i, row] of rows.entries()) {
        const p = prepared[i];
        if (p && row) await this.announce(p, row);
      }
    });
  }

  private async handleLive(outer: Element): Promise<void> {
    const own = this.opts.accountJid;
    const from = outer.attrs.from as string | undefined;
    let message = outer;
    let arrival: Arrival;
    const carbon =
      from === undefined || bareJid(from) === own ? unwrapCarbon(outer, own) : undefined;
    if (carbon) {
      message = carbon.message;
      arrival = { source: 'carbon', direction: carbon.direction };
    } else if (outer.getChild('received', NS.carbons) || outer.getChild('sent', NS.carbons)) {
      return; // a forged carbon from someone else: ignore
    } else {
      arrival = { source: outer.getChild('delay', NS.delay) ? 'offline' : 'live' };
    }
    const p = await this.prepare(message, arrival);
    if (!p) return;
    const row = await this.write(() => this.db.transaction(() => this.commit(p))());
    if (row) await this.announce(p, row);
  }

  /**
   * Reads a message, applies receipts/markers, drops known duplicates and decrypts it. Returns
   * what to store, or undefined when there is nothing to store.
   */
  private async prepare(message: Element, arrival: Arrival): Promise<Prepared | undefined> {
    const own = this.opts.accountJid;
    const type = (message.attrs.type as string | undefined) ?? 'normal';
    const from = (message.attrs.from as string | undefined) ?? own;
    const to = (message.attrs.to as string | undefined) ?? own;
    const group = type === 'groupchat';
    const room = group ? this.opts.rooms.get(bareJid(from)) : undefined;

    if (type === 'error') {
      const conversation = findConversation(this.db, this.opts.accountUuid, from);
      const id = message.attrs.id as string | undefined;
      if (conversation && id) {
        await this.write(() => markSendFailed(this.db, conversation.uuid, id, errorText(message)));
      }
      return undefined;
    }
    if (type === 'headline') return undefined;

    let direction: 'incoming' | 'outgoing';
    let conversation: ConversationRow | undefined;
    let trueCounterpart: string | undefined;
    if (group) {
      conversation =
        (room && findConversation(this.db, this.opts.accountUuid, room.jid)) ||
        findConversation(this.db, this.opts.accountUuid, from);
      if (!conversation || conversation.mode !== CONVERSATION_MODE.group) return undefined;
      const nick = jidResource(from);
      trueCounterpart = occupantRealJid(message, from, arrival, room);
      // Our own message comes back from the room under our nick; but a real JID the room tells
      // decides (someone else may have had our nick when an archived message was sent).
      direction =
        arrival.direction ??
        (trueCounterpart !== undefined
          ? trueCounterpart === own
            ? 'outgoing'
            : 'incoming'
          : room && nick !== undefined && nick === room.nick
            ? 'outgoing'
            : 'incoming');
    } else {
      direction = arrival.direction ?? (bareJid(from) === own ? 'outgoing' : 'incoming');
      conversation = findConversation(
        this.db,
        this.opts.accountUuid,
        direction === 'incoming' ? from : to,
      );
    }
    const conversationJid = group ? bareJid(from) : bareJid(direction === 'incoming' ? from : to);

    // Receipts and markers update what we sent (one-to-one only).
    const id = messageIdOf(message);
    if (!group && direction === 'incoming' && conversation) {
      const received = message.getChild('received', NS.receipts)?.attrs.id as string | undefined;
      if (received) {
        const uuid = conversation.uuid;
        await this.write(() =>
          raiseOutgoingStatus(this.db, uuid, received, MESSAGE_STATUS.sentReceived),
        );
      }
      const displayed = message.getChild('displayed', NS.markers)?.attrs.id as string | undefined;
      if (displayed) {
        const uuid = conversation.uuid;
        await this.write(() =>
          raiseOutgoingStatus(this.db, uuid, displayed, MESSAGE_STATUS.sentDisplayed),
        );
      }
    }

    const stanzaId =
      arrival.archiveId ??
      (group
        ? stanzaIdBy(message, bareJid(from))
        : direction === 'incoming'
          ? stanzaIdBy(message, own)
          : undefined);
    const archiveKey = arrival.archiveJid?.toLowerCase() ?? (group ? bareJid(from) : '');
    const counterpart = group ? from : direction === 'incoming' ? from : to;
    const base = {
      message,
      arrival,
      direction,
      group,
      conversationJid,
      counterpart,
      id,
      stanzaId,
      archiveKey,
      trueCounterpart,
    };

    // A message we already have is not decrypted again (that would fail: its key is used up).
    if (conversation) {
      const uuid = conversation.uuid;
      const duplicate = await this.write(() => {
        if (!this.knownDuplicate(uuid, base)) return false;
        this.advancePosition(archiveKey, arrival, stanzaId);
        return true;
      });
      if (duplicate) return undefined;
    }

    const context: DecryptContext = {
      source: arrival.source,
      direction,
      from,
      senderBareJid: group ? trueCounterpart : bareJid(from),
      conversationJid,
      group,
      serverMsgId: stanzaId,
      ...(room?.view ? { room: room.view(false) } : {}),
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
      await this.write(() => this.advancePosition(archiveKey, arrival, stanzaId));
      return undefined; // chat states, markers, receipts: nothing to store
    }
    return { ...base, body, encryption, fingerprint };
  }

  /** Whether the message is already stored (by archive id or sender id); records a missing archive id. */
  private knownDuplicate(
    conversationUuid: string,
    p: Pick<Prepared, 'stanzaId' | 'id' | 'direction' | 'counterpart' | 'group'>,
  ): boolean {
    if (p.stanzaId && findMessageByServerId(this.db, conversationUuid, p.stanzaId)) return true;
    if (!p.id) return false;
    const same = findMessageByRemoteId(
      this.db,
      conversationUuid,
      p.id,
      p.direction,
      p.counterpart,
      p.group,
    );
    if (!same) return false;
    if (p.stanzaId) setServerMsgId(this.db, same.uuid, p.stanzaId);
    return true;
  }

  /** Stores a prepared message unless it is a duplicate (checked again: this runs in a transaction). */
  private commit(p: Prepared): MessageRow | undefined {
    const conversation = p.group
      ? findConversation(this.db, this.opts.accountUuid, p.conversationJid)
      : findOrCreateConversation(this.db, {
          accountUuid: this.opts.accountUuid,
          contactJid: p.conversationJid,
          mode: CONVERSATION_MODE.single,
        }).conversation;
    if (!conversation) return undefined;
    if (this.knownDuplicate(conversation.uuid, p)) {
      this.advancePosition(p.archiveKey, p.arrival, p.stanzaId);
      return undefined;
    }
    const row = insertMessage(this.db, {
      conversationUuid: conversation.uuid,
      timeSent: orderedTime(this.db, conversation.uuid, p.arrival.stamp ?? delayOf(p.message)),
      counterpart: p.counterpart,
      trueCounterpart: p.group ? (p.trueCounterpart ?? null) : null,
      body: p.body,
      encryption: p.encryption,
      // A one-to-one message from a room occupant is a private message of the group chat.
      type:
        !p.group && conversation.mode === CONVERSATION_MODE.group
          ? MESSAGE_TYPE.private
          : MESSAGE_TYPE.text,
      axolotl_fingerprint: p.fingerprint,
      status: p.direction === 'incoming' ? MESSAGE_STATUS.received : MESSAGE_STATUS.sent,
      serverMsgId: p.stanzaId ?? null,
      remoteMsgId: p.id ?? null,
      carbon: p.arrival.source === 'carbon' ? 1 : 0,
      read: p.direction === 'incoming' && !p.arrival.history ? 0 : 1,
      markable: p.message.getChild('markable', NS.markers) ? 1 : 0,
      occupantId:
        (p.message.getChild('occupant-id', NS.occupantId)?.attrs.id as string | undefined) ?? null,
    });
    unarchiveConversation(this.db, conversation.uuid);
    this.advancePosition(p.archiveKey, p.arrival, p.stanzaId);
    return row;
  }

  /** After storing: a delivery receipt when asked for (live one-to-one), and the 'message' event. */
  private async announce(p: Prepared, row: MessageRow): Promise<void> {
    const source = p.arrival.source;
    if (
      p.direction === 'incoming' &&
      !p.group &&
      (source === 'live' || source === 'offline') &&
      p.id &&
      p.message.getChild('request', NS.receipts)
    ) {
      const from = p.message.attrs.from as string;
      await this.opts.sendReceipt(from, p.id).catch(() => {});
    }
    this.opts.onStored({
      accountJid: this.opts.accountJid,
      conversationJid: p.conversationJid,
      group: p.group,
      source,
      message: row,
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
  const newest = newestMessageTime(db, conversationUuid);
  if (newest !== null && newest > stamp && newest < stamp + 1000) return newest;
  return stamp;
}

/**
 * The sender's real bare JID in a group chat, as Conversations' MessageParser finds it: for a
 * message from the room's archive, the `<x xmlns='…muc#user'><item jid=…/>` the archive adds in a
 * non-anonymous room (when a message carries several that disagree, an occupant forged one: none
 * is believed); for a live message, the occupant's presence — never what the message itself says.
 */
function occupantRealJid(
  message: Element,
  from: string,
  arrival: Arrival,
  room: RoomInfo | undefined,
): string | undefined {
  if (arrival.source === 'mam') {
    const claimed = new Set<string>();
    for (const x of message.getChildren('x', NS.mucUser)) {
      for (const item of x.getChildren('item')) {
        const jid = item.attrs.jid as string | undefined;
        if (jid) claimed.add(bareJid(jid));
      }
    }
    if (claimed.size > 1) return undefined;
    const [only] = claimed;
    if (only !== undefined) return only;
  }
  return room?.realJidOf?.(from);
}
