import { xml } from '@xmpp/client';
import type Database from 'better-sqlite3';
import type { Element } from 'ltx';
import type {
  CryptoAccount,
  DecryptContext,
  DecryptResult,
  EncryptResult,
  MessageCrypto,
  RoomEncryption,
  RoomView,
  XmppChannel,
} from '../xmpp/crypto-hook.js';
import { bundleElement, deviceListElement, parseBundle } from './bundle.js';
import { fingerprintOf } from './fingerprint.js';
import { MESSAGE_ENCRYPTION } from '../store/codes.js';
import { OmemoAccount } from './omemo-account.js';
import {
  BUNDLES_NODE_PREFIX,
  DEVICELIST_NODE,
  FALLBACK_BODY,
  findEncrypted,
  OMEMO_NS,
} from './omemo-element.js';
import { deviceListEvent, fetchBundle, fetchDeviceIds, publish } from './pep.js';
import { ProfileSignalStore } from './profile-store.js';
import { processPreKeyBundle } from './session-builder.js';
import type { DeviceAddress } from './signal-store.js';
import { OmemoEncryptError } from './errors.js';

/** Trust levels whose devices get our messages (blind trust makes new devices TRUSTED). */
const SENDABLE_TRUST = new Set(['TRUSTED', 'VERIFIED', 'VERIFIED_X509']);

/** An event the OMEMO layer reports (for logs, tests and the UI). */
export type OmemoEvent =
  | { kind: 'published'; jid: string; deviceId: number; preKeys: number }
  | { kind: 'session-built'; jid: string; device: DeviceAddress; reason: 'send' | 'heal' }
  | { kind: 'healed'; jid: string; device: DeviceAddress }
  | { kind: 'key-transport'; jid: string; device: DeviceAddress }
  | { kind: 'undecryptable'; jid: string; device?: DeviceAddress; error: string }
  | { kind: 'error'; jid: string; error: string };

export { OmemoEncryptError };

interface ConnectionState {
  caughtUp: boolean;
  /** Devices healed on this connection (Conversations: once per device per connection). */
  healed: Set<string>;
  /** Broken sessions waiting for the end of the catch-up. */
  pendingHeal: Map<string, DeviceAddress>;
  /** Sessions built from a prekey message, to complete with an empty key transport. */
  pendingComplete: Map<string, DeviceAddress>;
  bundleDirty: boolean;
  /** Device lists fetched on this connection, refreshed by PEP notifications or after a while. */
  deviceLists: Map<string, { ids: number[]; at: number }>;
  unsubscribe?: () => void;
}

/** How long a fetched device list is used before it is fetched again (ms). */
const DEVICE_LIST_TTL_MS = 30_000;

const key = (a: DeviceAddress) => `${a.name}\u0000${a.deviceId}`;

/**
 * OMEMO for the XMPP engine (the engine's {@link MessageCrypto} hook), as Conversations does it:
 * publishes device list and bundle, builds sessions from bundles, encrypts one-to-one messages for
 * the contact's and the account's other trusted devices, decrypts live/carbon/archive messages,
 * marks what it cannot decrypt (encryption `omemoFailed`, or `omemoNotForThisDevice` when not
 * encrypted for this device), and heals broken sessions after the catch-up.
 *
 *   const engine = new Engine(profile, { crypto: new OmemoCrypto(profile.db) });
 */
export class OmemoCrypto implements MessageCrypto {
  private readonly accounts = new Map<string, OmemoAccount>();
  private readonly connections = new WeakMap<XmppChannel, ConnectionState>();

  constructor(
    private readonly db: Database.Database,
    private readonly onEvent: (e: OmemoEvent) => void = () => {},
  ) {}

  /** The OMEMO side of an account (keys are created on first use, as on Conversations' first start). */
  account(a: CryptoAccount): OmemoAccount {
    let account = this.accounts.get(a.uuid);
    if (!account) {
      account = new OmemoAccount(new ProfileSignalStore(this.db, a.uuid, a.jid));
      this.accounts.set(a.uuid, account);
    }
    return account;
  }

  private state(channel: XmppChannel): ConnectionState {
    let s = this.connections.get(channel);
    if (!s) {
      s = {
        caughtUp: false,
        healed: new Set(),
        pendingHeal: new Map(),
        pendingComplete: new Map(),
        bundleDirty: false,
        deviceLists: new Map(),
      };
      this.connections.set(channel, s);
    }
    return s;
  }

  async onOnline(channel: XmppChannel): Promise<void> {
    const state = this.state(channel);
    state.caughtUp = false;
    state.healed.clear();
    state.deviceLists.clear();
    const account = this.account(channel.account);
    await account.store.generateKeys();
    account.store.refillPreKeys();
    state.unsubscribe?.();
    state.unsubscribe = channel.onStanza((stanza) => {
      const ev = deviceListEvent(stanza as unknown as Element);
      if (ev) state.deviceLists.set(ev.from.toLowerCase(), { ids: ev.ids, at: Date.now() });
      if (ev && ev.from === account.jid && !ev.ids.includes(account.deviceId)) {
        void this.publishDeviceList(channel, ev.ids).catch(() => {});
      }
    });
    try {
      await this.publishDeviceList(channel, await fetchDeviceIds(channel, account.jid));
      await this.publishBundle(channel);
    } catch (e) {
      this.onEvent({
        kind: 'error',
        jid: account.jid,
        error: `publishing OMEMO keys failed: ${(e as Error).message}`,
      });
    }
  }

  private async publishDeviceList(channel: XmppChannel, ids: number[]): Promise<void> {
    const account = this.account(channel.account);
    if (ids.includes(account.deviceId)) return;
    await publish(channel, DEVICELIST_NODE, deviceListElement([...ids, account.deviceId]) as never);
  }

  private async publishBundle(channel: XmppChannel): Promise<void> {
    const account = this.account(channel.account);
    const bundle = bundleElement(account.store);
    await publish(channel, `${BUNDLES_NODE_PREFIX}${account.deviceId}`, bundle as never);
    this.onEvent({
      kind: 'published',
      jid: account.jid,
      deviceId: account.deviceId,
      preKeys: bundle.getChild('prekeys')?.getChildren('preKeyPublic').length ?? 0,
    });
  }

  async decryptIncoming(
    channel: XmppChannel,
    message: Element,
    context: DecryptContext,
  ): Promise<DecryptResult | null> {
    if (!findEncrypted(message)) return null;
    try {
      return await this.decryptEncrypted(channel, message, context);
    } catch (e) {
      // Never let an OMEMO message through as plain text, and never break the engine.
      this.onEvent({ kind: 'error', jid: channel.account.jid, error: (e as Error).message });
      return { body: '', encryption: MESSAGE_ENCRYPTION.omemoFailed };
    }
  }

  private async decryptEncrypted(
    channel: XmppChannel,
    message: Element,
    context: DecryptContext,
  ): Promise<DecryptResult> {
    const account = this.account(channel.account);
    const refused = groupSenderRefused(account.jid, context);
    if (refused !== undefined || !context.senderBareJid) {
      // Not decrypted at all: a stranger's message must not touch the sessions with members.
      this.onEvent({
        kind: 'undecryptable',
        jid: account.jid,
        error: refused ?? 'the sender is unknown',
      });
      return { body: '', encryption: MESSAGE_ENCRYPTION.omemoFailed };
    }
    const state = this.state(channel);
    await account.store.generateKeys();
    const result = account.decrypt(message, context.senderBareJid.toLowerCase());
    if (result.usedPreKey && result.outcome !== 'undecryptable') {
      account.store.refillPreKeys();
      state.bundleDirty = true;
      state.pendingComplete.set(key(result.sender), result.sender);
      if (state.caughtUp) await this.afterCatchup(channel);
    }
    switch (result.outcome) {
      case 'plaintext':
        return {
          body: result.plaintext,
          encryption: MESSAGE_ENCRYPTION.omemo,
          fingerprint: result.fingerprint,
        };
      case 'key-transport':
        this.onEvent({ kind: 'key-transport', jid: account.jid, device: result.sender });
        return { body: null, encryption: MESSAGE_ENCRYPTION.none };
      case 'not-encrypted-for-this-device':
        // An archived copy of a message this very device id sent (e.g. the old phone after a
        // backup): Conversations ignores it as a reflected own message.
        if (result.reflectedOwn) {
          await this.healAfterRestore(channel, context, result.rids);
          return { body: null, encryption: MESSAGE_ENCRYPTION.none };
        }
        return { body: '', encryption: MESSAGE_ENCRYPTION.omemoNotForThisDevice };
      case 'undecryptable':
        this.onEvent({
          kind: 'undecryptable',
          jid: account.jid,
          ...(result.sender ? { device: result.sender } : {}),
          error: result.error,
        });
        if (result.brokenSession && result.sender) {
          state.pendingHeal.set(key(result.sender), result.sender);
          if (state.caughtUp) await this.afterCatchup(channel);
        }
        return { body: '', encryption: MESSAGE_ENCRYPTION.omemoFailed };
    }
  }

  /**
   * A message from this very device id that this profile doesn't have: another copy of this
   * device (the old phone after the backup that made this profile) sent it, so the sessions it
   * was encrypted with moved on without us, and our next messages on them would not decrypt.
   * Those sessions are healed like broken ones (new session from the bundle, key transport),
   * once the catch-up is over. ferry's addition to Conversations' self-healing (docs/omemo.md).
   */
  private async healAfterRestore(
    channel: XmppChannel,
    context: DecryptContext,
    rids: number[],
  ): Promise<void> {
    const account = this.account(channel.account);
    const state = this.state(channel);
    const names = context.group
      ? [...(context.room?.members ?? []), account.jid]
      : [context.conversationJid.toLowerCase(), account.jid];
    for (const name of new Set(names)) {
      for (const deviceId of rids) {
        const device = { name, deviceId };
        if (name === account.jid && deviceId === account.deviceId) continue;
        if (account.hasSession(device)) state.pendingHeal.set(key(device), device);
      }
    }
    if (state.caughtUp && state.pendingHeal.size > 0) await this.afterCatchup(channel);
  }

  async onCatchupDone(channel: XmppChannel): Promise<void> {
    this.state(channel).caughtUp = true;
    await this.afterCatchup(channel);
  }

  /** Self-healing and session completion, once the archive catch-up is over. */
  private async afterCatchup(channel: XmppChannel): Promise<void> {
    const state = this.state(channel);
    const account = this.account(channel.account);
    const heal = [...state.pendingHeal.values()];
    state.pendingHeal.clear();
    for (const device of heal) {
      if (state.healed.has(key(device))) continue;
      state.healed.add(key(device));
      state.pendingComplete.delete(key(device));
      try {
        if (!(await this.buildSession(channel, device, 'heal'))) continue;
        await this.sendKeyTransport(channel, device);
        this.onEvent({ kind: 'healed', jid: account.jid, device });
      } catch (e) {
        this.onEvent({
          kind: 'error',
          jid: account.jid,
          error: `healing ${device.name}:${device.deviceId} failed: ${(e as Error).message}`,
        });
      }
    }
    const complete = [...state.pendingComplete.values()];
    state.pendingComplete.clear();
    for (const device of complete) {
      await this.sendKeyTransport(channel, device).catch(() => {});
    }
    if (state.bundleDirty) {
      state.bundleDirty = false;
      await this.publishBundle(channel).catch(() => {});
    }
  }

  private async sendKeyTransport(channel: XmppChannel, device: DeviceAddress): Promise<void> {
    const account = this.account(channel.account);
    const { element, devices } = account.keyTransport([device]);
    if (devices.length === 0) return;
    await channel.send(
      xml(
        'message',
        { to: device.name, type: 'chat' },
        element as never,
        xml('store', { xmlns: 'urn:xmpp:hints' }),
      ),
    );
  }

  /** Fetches the device's bundle and starts a new session with it; false when it has none. */
  private async buildSession(
    channel: XmppChannel,
    device: DeviceAddress,
    reason: 'send' | 'heal',
  ): Promise<boolean> {
    const account = this.account(channel.account);
    const element = await fetchBundle(channel, device.name, device.deviceId);
    if (!element || element.name !== 'bundle' || element.attrs.xmlns !== OMEMO_NS) return false;
    const bundle = parseBundle(element as unknown as Element, device.deviceId);
    const trust = account.store.trustOf(device.name, bundle.identityKey);
    if (trust !== undefined && !SENDABLE_TRUST.has(trust)) return false;
    await processPreKeyBundle(account.store, device, bundle);
    this.onEvent({ kind: 'session-built', jid: account.jid, device, reason });
    return true;
  }

  private sendable(account: OmemoAccount, device: DeviceAddress): boolean {
    const remote = account.store.loadSession(device)?.currentSession?.remoteIdentityPublic;
    if (!remote) return false;
    const trust = account.store.trustOf(device.name, remote);
    return trust === undefined || SENDABLE_TRUST.has(trust);
  }

  /** The device ids `jid` announces (cached on this connection for a short while). */
  private async deviceIds(channel: XmppChannel, jid: string): Promise<number[]> {
    const cache = this.state(channel).deviceLists;
    const hit = cache.get(jid);
    // The account's own list is read every time: a new own device (a restored or second device)
    // gets the very next message, and the server sends us no notification of it.
    const own = jid === channel.account.jid.toLowerCase();
    if (hit && !own && Date.now() - hit.at < DEVICE_LIST_TTL_MS) return hit.ids;
    const ids = await fetchDeviceIds(channel, jid);
    // An empty list is asked again next time (Conversations: hasEmptyDeviceList → fetch), so a
    // member who just set up OMEMO is found.
    if (ids.length > 0) cache.set(jid, { ids, at: Date.now() });
    return ids;
  }

  /** Devices of `jid` (except this one) ready to receive, building sessions where needed. */
  private async recipients(channel: XmppChannel, jid: string): Promise<DeviceAddress[]> {
    const account = this.account(channel.account);
    const ids = await this.deviceIds(channel, jid);
    const out: DeviceAddress[] = [];
    for (const deviceId of ids) {
      const device = { name: jid, deviceId };
      if (jid === account.jid && deviceId === account.deviceId) continue;
      if (!account.hasSession(device)) {
        try {
          await this.buildSession(channel, device, 'send');
        } catch (e) {
          this.onEvent({
            kind: 'error',
            jid: account.jid,
            error: `no session with ${jid}:${deviceId}: ${(e as Error).message}`,
          });
        }
      }
      if (account.hasSession(device) && this.sendable(account, device)) out.push(device);
    }
    return out;
  }

  /**
   * Encrypts a one-to-one message when the contact has OMEMO devices (encryption on by default,
   * as Conversations); null (plain text) when the contact has none.
   */
  async encryptOutgoing(
    channel: XmppChannel,
    to: string,
    text: string,
    context: { messageId: string; group: boolean; room?: RoomView },
  ): Promise<EncryptResult | null> {
    if (context.group) return this.encryptForRoom(channel, text, context.room);
    const account = this.account(channel.account);
    await account.store.generateKeys();
    const contact = to.toLowerCase();
    const contactIds = await this.deviceIds(channel, contact);
    if (contactIds.length === 0) return null;
    const theirs = await this.recipients(channel, contact);
    if (theirs.length === 0) {
      throw new OmemoEncryptError(
        `none of ${contact}'s OMEMO devices can be reached (no trusted device with a bundle)`,
      );
    }
    const own = contact === account.jid ? [] : await this.recipients(channel, account.jid);
    return this.encrypted(account, text, [...theirs, ...own]);
  }

  /**
   * Whether a room's messages go encrypted, as Conversations decides (Conversation
   * .getNextEncryption, suitableForOmemoByDefault, MucOptions.isPrivateAndNonAnonymous): only in
   * a members-only, non-anonymous room; on by default there when every member announces OMEMO
   * devices.
   */
  async roomEncryption(channel: XmppChannel, room: RoomView): Promise<RoomEncryption> {
    if (!room.membersOnly && !room.nonAnonymous) {
      return {
        encrypted: false,
        reason:
          'the room is open to anyone and hides its members’ addresses (not members-only, not non-anonymous)',
      };
    }
    if (!room.membersOnly) {
      return { encrypted: false, reason: 'the room is open to anyone (not members-only)' };
    }
    if (!room.nonAnonymous) {
      return {
        encrypted: false,
        reason:
          'the room hides its members’ addresses (not non-anonymous), so their keys can’t be found',
      };
    }
    const missing: string[] = [];
    for (const member of room.members) {
      const ids = await this.deviceIds(channel, member).catch(() => []);
      if (ids.length === 0) missing.push(member);
    }
    if (missing.length > 0) {
      return {
        encrypted: false,
        reason: `${missing.join(', ')} ${missing.length === 1 ? 'has' : 'have'} no OMEMO devices`,
      };
    }
    return { encrypted: true };
  }

  /**
   * A room message encrypted for every trusted device of every member and of the account's other
   * devices (AxolotlService.getCryptoTargets, buildHeader); null to send it as plain text when
   * the room is not for OMEMO and never was; an error instead of plain text where messages went
   * encrypted before.
   */
  private async encryptForRoom(
    channel: XmppChannel,
    text: string,
    room: RoomView | undefined,
  ): Promise<EncryptResult | null> {
    if (!room) return null;
    const decision = await this.roomEncryption(channel, room);
    if (!decision.encrypted) {
      if (!room.encryptedBefore) return null;
      throw new OmemoEncryptError(
        `not sending unencrypted to ${room.jid}, where messages went encrypted before: ${decision.reason ?? ''}`,
      );
    }
    const account = this.account(channel.account);
    await account.store.generateKeys();
    const theirs: DeviceAddress[] = [];
    const unreachable: string[] = [];
    for (const member of room.members) {
      const devices = await this.recipients(channel, member);
      if (devices.length === 0) unreachable.push(member);
      theirs.push(...devices);
    }
    if (unreachable.length > 0) {
      throw new OmemoEncryptError(
        `the OMEMO devices of ${unreachable.join(', ')} in ${room.jid} can't be reached (no trusted device with a bundle)`,
      );
    }
    const own = await this.recipients(channel, account.jid);
    return this.encrypted(account, text, [...theirs, ...own]);
  }

  private encrypted(
    account: OmemoAccount,
    text: string,
    recipients: DeviceAddress[],
  ): EncryptResult {
    const { element } = account.encrypt(text, recipients);
    return {
      elements: [
        element as never,
        xml('store', { xmlns: 'urn:xmpp:hints' }),
        xml('encryption', { xmlns: 'urn:xmpp:eme:0', name: 'OMEMO', namespace: OMEMO_NS }),
      ],
      fallbackBody: FALLBACK_BODY,
      encryption: MESSAGE_ENCRYPTION.omemo,
      fingerprint: fingerprintOf(account.store.ownIdentityKey()),
    };
  }

  onOffline(channel: XmppChannel): void {
    const state = this.connections.get(channel);
    if (!state) return;
    state.unsubscribe?.();
    delete state.unsubscribe;
    state.caughtUp = false;
    state.healed.clear();
  }
}

/**
 * Why a room message is not even tried (undefined when it may be): the sender's real JID must be
 * known and, in a room ferry knows, be the account's or a member's. Conversations refuses OMEMO
 * from an unknown real JID likewise (MessageParser: "axolotl message in anonymous conference").
 */
function groupSenderRefused(ownJid: string, context: DecryptContext): string | undefined {
  if (!context.group) return undefined;
  const sender = context.senderBareJid?.toLowerCase();
  if (!sender) return `the real JID of ${context.from} is unknown`;
  if (sender === ownJid) return undefined;
  if (!context.room) return `${context.conversationJid} is not joined`;
  if (!context.room.members.includes(sender)) {
    return `${sender} is not a member of ${context.conversationJid}`;
  }
  return undefined;
}
