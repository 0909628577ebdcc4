/**
 * Group chats (XEP-0045): joining the rooms of the profile's group conversations, and what the
 * engine knows about a joined room — its configuration (members-only, non-anonymous, from its
 * disco#info) and its members' real JIDs (affiliation lists and occupant presences), as
 * Conversations' MucOptions keeps them. OMEMO in a room needs both (docs/omemo.md).
 */
import { xml } from '@xmpp/client';
import type Database from 'better-sqlite3';
import type { Element } from '@xmpp/xml';
import type { AccountRow } from '../store/accounts.js';
import {
  conversationAttributes,
  setConversationAttributes,
  type ConversationRow,
} from '../store/conversations.js';
import type { MessageCrypto, RoomEncryption, RoomView, XmppChannel } from './crypto-hook.js';
import type { RoomInfo } from './message-intake.js';
import { bareJid, errorText, jidResource, NS } from './stanza.js';

const MUC_ADMIN = 'http://jabber.org/protocol/muc#admin';
const DISCO_INFO = 'http://jabber.org/protocol/disco#info';

/** Conversations' conversation attributes for a room's configuration (MucOptions.updateConfiguration). */
export const ROOM_ATTRIBUTE = {
  membersOnly: 'members_only',
  nonAnonymous: 'non_anonymous',
  /** Set once a message went encrypted to the room (Conversations keeps OMEMO on afterwards). */
  formerlyPrivateNonAnonymous: 'formerly_private_non_anonymous',
  /** ferry's own: 'omemo' or 'none', and why not, as last worked out when online. */
  encryption: 'ferry_encryption',
  encryptionReason: 'ferry_encryption_reason',
} as const;

type Affiliation = 'owner' | 'admin' | 'member' | 'outcast' | 'none';

function affiliationOf(value: unknown): Affiliation {
  return value === 'owner' || value === 'admin' || value === 'member' || value === 'outcast'
    ? value
    : 'none';
}

const MEMBER_RANKS = new Set<Affiliation>(['owner', 'admin', 'member']);

interface Occupant {
  /** Real bare JID, when the room shares it. */
  realJid: string | undefined;
  affiliation: Affiliation;
}

/** A joined room of the current session. */
export class JoinedRoom implements RoomInfo {
  membersOnly = false;
  nonAnonymous = false;
  /** Occupants by nick (from presences). */
  private readonly occupants = new Map<string, Occupant>();
  /** Affiliations by real bare JID (affiliation lists, presences, affiliation-change messages). */
  private readonly affiliations = new Map<string, Affiliation>();
  private release: () => void = () => {};
  private configChanged: (() => void) | undefined;

  constructor(
    readonly jid: string,
    public nick: string,
    readonly conversationUuid: string,
    private readonly ownJid: string,
  ) {}

  /** Starts following the room's presences and status messages on `channel`. */
  listen(channel: XmppChannel): void {
    this.release();
    this.release = channel.onStanza((stanza) => this.onStanza(stanza));
  }

  close(): void {
    this.release();
    this.release = () => {};
  }

  get privateAndNonAnonymous(): boolean {
    return this.membersOnly && this.nonAnonymous;
  }

  /**
   * The real bare JID behind an occupant's full JID (`room/nick`): the account's own for our
   * nick, else what the occupant's presence said (never what a message claims about itself).
   */
  realJidOf(fullJid: string): string | undefined {
    if (bareJid(fullJid) !== this.jid) return undefined;
    const nick = jidResource(fullJid);
    if (nick === undefined) return undefined;
    if (nick === this.nick) return this.ownJid;
    return this.occupants.get(nick)?.realJid;
  }

  /** Whether `jid` (bare) is the account or has the affiliation member, admin or owner. */
  isMember(jid: string): boolean {
    const bare = bareJid(jid);
    return bare === this.ownJid || MEMBER_RANKS.has(this.affiliations.get(bare) ?? 'none');
  }

  /** The members' real bare JIDs without the account's own (Conversations' getMembers). */
  members(): string[] {
    return [...this.affiliations]
      .filter(([jid, a]) => MEMBER_RANKS.has(a) && jid !== this.ownJid && jid.includes('@'))
      .map(([jid]) => jid)
      .sort();
  }

  view(encryptedBefore: boolean): RoomView {
    return {
      jid: this.jid,
      nick: this.nick,
      membersOnly: this.membersOnly,
      nonAnonymous: this.nonAnonymous,
      members: this.members(),
      encryptedBefore,
    };
  }

  /** Called with every stanza of the session; picks the room's presences and status messages. */
  private onStanza(stanza: Element): void {
    const from = stanza.attrs.from as string | undefined;
    if (!from || bareJid(from) !== this.jid) return;
    const x = stanza.getChild('x', NS.mucUser);
    if (stanza.is('presence')) {
      const nick = jidResource(from);
      if (nick === undefined || stanza.attrs.type === 'error') return;
      const item = x?.getChild('item');
      const realJid = item?.attrs.jid ? bareJid(String(item.attrs.jid)) : undefined;
      const affiliation = affiliationOf(item?.attrs.affiliation);
      if (realJid) this.affiliations.set(realJid, affiliation);
      if (stanza.attrs.type === 'unavailable') this.occupants.delete(nick);
      else this.occupants.set(nick, { realJid, affiliation });
      if (x?.getChildren('status').some((s) => s.attrs.code === '110')) this.nick = nick;
    } else if (stanza.is('message') && jidResource(from) === undefined && x) {
      // From the room itself: affiliation changes of people not in the room, configuration changes.
      for (const item of x.getChildren('item')) {
        const jid = item.attrs.jid as string | undefined;
        if (jid) this.affiliations.set(bareJid(jid), affiliationOf(item.attrs.affiliation));
      }
      const codes = x.getChildren('status').map((s) => String(s.attrs.code));
      if (codes.some((c) => ['104', '170', '171', '172', '173'].includes(c)))
        this.configChanged?.();
    }
  }

  /**
   * Reads the room's configuration (disco#info features `muc_membersonly`, `muc_nonanonymous`)
   * and, in a members-only non-anonymous room, its member, admin and owner lists — what
   * Conversations does after joining (fetchConferenceConfiguration, fetchConferenceMembers).
   */
  async discover(channel: XmppChannel): Promise<void> {
    const info = await channel.iq(
      xml('iq', { type: 'get', to: this.jid }, xml('query', { xmlns: DISCO_INFO })),
    );
    const features = new Set(
      (info.getChild('query', DISCO_INFO)?.getChildren('feature') ?? []).map((f) =>
        String(f.attrs.var),
      ),
    );
    this.membersOnly = features.has('muc_membersonly');
    this.nonAnonymous = features.has('muc_nonanonymous');
    if (!this.privateAndNonAnonymous) return;
    for (const affiliation of ['member', 'admin', 'owner']) {
      const result = await channel
        .iq(
          xml(
            'iq',
            { type: 'get', to: this.jid },
            xml('query', { xmlns: MUC_ADMIN }, xml('item', { affiliation })),
          ),
        )
        .catch(() => undefined);
      for (const item of result?.getChild('query', MUC_ADMIN)?.getChildren('item') ?? []) {
        const jid = item.attrs.jid as string | undefined;
        if (jid) this.affiliations.set(bareJid(jid), affiliationOf(item.attrs.affiliation));
      }
    }
  }

  /** Re-reads the configuration when the room says it changed (status 104, 170–173). */
  onConfigurationChange(listener: () => void): void {
    this.configChanged = listener;
  }
}

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
 * the room confirms our presence; rejects with the room's error (banned, members only, …). The
 * room's occupants are followed from the first presence on; its configuration and members are
 * read right after joining.
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
  const joinedRoom = new JoinedRoom(room, nick, conversation.uuid, channel.account.jid);
  joinedRoom.listen(channel);
  let release: () => void = () => {};
  let timer: NodeJS.Timeout | undefined;
  const joined = new Promise<void>((resolve, reject) => {
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
        joinedRoom.nick = jidResource(from) ?? nick;
        resolve();
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
    await joined;
  } catch (err) {
    joinedRoom.close();
    throw err;
  } finally {
    clearTimeout(timer);
    release();
  }
  await joinedRoom.discover(channel).catch(() => {
    // A room without disco#info is treated as open and anonymous: never encrypted.
  });
  return joinedRoom;
}

/** Whether a message was sent encrypted to the room before (Conversations' attribute). */
export function encryptedBefore(conversation: Pick<ConversationRow, 'attributes'>): boolean {
  return (
    conversationAttributes(conversation)[ROOM_ATTRIBUTE.formerlyPrivateNonAnonymous] === 'true'
  );
}

/**
 * Works out whether the room's messages go encrypted (the crypto plugin decides; without one
 * they never do) and stores it with the room's configuration in the conversation's attributes,
 * where the CLI and the web app read it.
 */
export async function refreshRoomEncryption(
  db: Database.Database,
  channel: XmppChannel,
  crypto: MessageCrypto | undefined,
  room: JoinedRoom,
  conversation: Pick<ConversationRow, 'attributes'>,
): Promise<RoomEncryption> {
  const view = room.view(encryptedBefore(conversation));
  let state: RoomEncryption;
  if (!crypto?.roomEncryption) {
    state = { encrypted: false, reason: 'OMEMO is not enabled on this device' };
  } else {
    try {
      state = await crypto.roomEncryption(channel, view);
    } catch (e) {
      state = { encrypted: false, reason: `OMEMO keys could not be read: ${(e as Error).message}` };
    }
  }
  setConversationAttributes(db, room.conversationUuid, {
    [ROOM_ATTRIBUTE.membersOnly]: String(room.membersOnly),
    [ROOM_ATTRIBUTE.nonAnonymous]: String(room.nonAnonymous),
    [ROOM_ATTRIBUTE.encryption]: state.encrypted ? 'omemo' : 'none',
    [ROOM_ATTRIBUTE.encryptionReason]: state.encrypted ? undefined : state.reason,
  });
  return state;
}

/** A room's encryption as last stored: what the CLI and the web app show. */
export function storedRoomEncryption(conversation: Pick<ConversationRow, 'attributes'>): {
  state: 'omemo' | 'none' | 'unknown';
  reason: string | null;
} {
  const a = conversationAttributes(conversation);
  const state = a[ROOM_ATTRIBUTE.encryption];
  if (state === 'omemo') return { state, reason: null };
  if (state === 'none') return { state, reason: a[ROOM_ATTRIBUTE.encryptionReason] ?? null };
  return {
    state: 'unknown',
    reason: 'not worked out yet: the room was not joined from this device',
  };
}
