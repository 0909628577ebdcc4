/**
 * The engine's extension points for end-to-end encryption (OMEMO lives in `src/omemo/` and
 * implements {@link MessageCrypto}); the engine itself knows nothing about OMEMO.
 *
 * Order of calls per account connection:
 *   1. `onOnline(channel)` after login (new session, not after a stream resumption) — publish
 *      device lists/bundles, subscribe, … through `channel.iq()` / `channel.send()`.
 *   2. `decryptIncoming(channel, message, context)` for every message stanza that arrives — live,
 *      as a carbon copy, from the archive catch-up, or from a room — in the order they arrive
 *      (calls are serialised per account: the next stanza waits until this one is handled).
 *   3. `onCatchupDone(channel)` once the archive catch-up of the account (and its rooms) finished
 *      — the moment Conversations starts OMEMO self-healing.
 *   4. `encryptOutgoing(channel, to, text, context)` when the user sends a message;
 *      `roomEncryption(channel, room)` after joining a room and before sending to it.
 *   5. `onOffline(channel)` when the connection ends.
 */
import type { Element } from '@xmpp/xml';

export type { Element };

/** The account a plugin works for. */
export interface CryptoAccount {
  /** `accounts.uuid`. */
  uuid: string;
  /** Bare JID of the account. */
  jid: string;
}

/** What a plugin may do with the account's live connection. */
export interface XmppChannel {
  readonly account: CryptoAccount;
  /** The bound full JID of this connection, once online. */
  readonly fullJid: string | undefined;
  /** Sends an IQ (type get/set, `to` optional) and resolves with the result IQ; rejects on error/timeout. */
  iq(request: Element, timeoutMs?: number): Promise<Element>;
  /** Sends any stanza (message, presence). */
  send(stanza: Element): Promise<void>;
  /** Listens to every incoming stanza (e.g. PEP `<event>` notifications); returns an unsubscribe. */
  onStanza(listener: (stanza: Element) => void): () => void;
}

/** Where an incoming message came from. */
export interface DecryptContext {
  source: 'live' | 'carbon' | 'mam' | 'offline';
  /** 'incoming' from a contact/occupant; 'outgoing' for the account's own messages (carbons sent, archive). */
  direction: 'incoming' | 'outgoing';
  /** Full JID of the sender as the stanza says (`room@service/nick` in a group chat). */
  from: string;
  /** Bare JID of the sender (for a group chat: the occupant's real bare JID when known, else undefined). */
  senderBareJid: string | undefined;
  /** Bare JID of the conversation: the contact or the room. */
  conversationJid: string;
  group: boolean;
  /** The server's archive id (stanza-id), when there is one. */
  serverMsgId: string | undefined;
  /** For a group chat: the room as the engine knows it (configuration, members' real JIDs). */
  room?: RoomView;
}

/**
 * A joined group chat as plugins see it: the room's configuration from its disco#info and its
 * members' real bare JIDs (affiliation lists and occupant presences, without the account's own).
 */
export interface RoomView {
  jid: string;
  nick: string;
  membersOnly: boolean;
  nonAnonymous: boolean;
  members: string[];
  /** A message of the account was sent encrypted to this room before (Conversations' attribute). */
  encryptedBefore: boolean;
}

/** Whether messages to a room go encrypted, and when not, why (in words for the user). */
export interface RoomEncryption {
  encrypted: boolean;
  reason?: string;
}

/** What a plugin made of an encrypted message. */
export interface DecryptResult {
  /** The plain text (null when it could not be decrypted). */
  body: string | null;
  /** Conversations' `messages.encryption` code (5 OMEMO, 6 not for this device, 7 failed, …). */
  encryption: number;
  /** `messages.axolotl_fingerprint` of the sending device, when known. */
  fingerprint?: string | null;
}

/** What a plugin puts into an outgoing message instead of the plain body. */
export interface EncryptResult {
  /** Child elements for the `<message>` (e.g. `<encrypted>`, `<encryption>` hint). */
  elements: Element[];
  /** Fallback `<body>` for clients that can't decrypt; omitted when undefined. */
  fallbackBody?: string;
  /** Conversations' `messages.encryption` code stored for the sent message (5 for OMEMO). */
  encryption: number;
  fingerprint?: string | null;
}

export interface MessageCrypto {
  onOnline?(channel: XmppChannel): Promise<void> | void;
  /**
   * Called for every message stanza before the engine reads its body. Return null when the stanza
   * is not for this plugin (the engine then stores the plain `<body>` if any).
   * `message` is the inner `<message>` (unwrapped from carbons / archive results).
   */
  decryptIncoming?(
    channel: XmppChannel,
    message: Element,
    context: DecryptContext,
  ): Promise<DecryptResult | null> | DecryptResult | null;
  onCatchupDone?(channel: XmppChannel): Promise<void> | void;
  /** Return null to send the text unencrypted. */
  encryptOutgoing?(
    channel: XmppChannel,
    to: string,
    text: string,
    context: { messageId: string; group: boolean; room?: RoomView },
  ): Promise<EncryptResult | null> | EncryptResult | null;
  /** Whether a room's messages would go encrypted now, and why not (see {@link RoomEncryption}). */
  roomEncryption?(channel: XmppChannel, room: RoomView): Promise<RoomEncryption> | RoomEncryption;
  onOffline?(channel: XmppChannel): void;
}
