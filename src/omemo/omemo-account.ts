import type { Element } from 'ltx';
import { SignalError } from './errors.js';
import { fingerprintOf } from './fingerprint.js';
import {
  decryptPayload,
  encryptedElement,
  encryptPayload,
  findEncrypted,
  keyTransportMaterial,
  MalformedOmemoError,
  parseEncrypted,
  type OmemoKeyElement,
} from './omemo-element.js';
import { ProfileSignalStore } from './profile-store.js';
import {
  decryptPreKeySignalMessage,
  decryptSignalMessage,
  encryptFor,
  hasSession,
} from './session-cipher.js';
import type { DeviceAddress } from './signal-store.js';

export type IncomingOmemo =
  | { outcome: 'plaintext'; plaintext: string; sender: DeviceAddress; fingerprint: string }
  | { outcome: 'key-transport'; sender: DeviceAddress; fingerprint: string }
  | {
      outcome: 'not-encrypted-for-this-device';
      sender: DeviceAddress;
      /** The sender device is this account's own device id: an archived copy of our own message. */
      reflectedOwn: boolean;
      /** The device ids the message was encrypted for. */
      rids: number[];
    }
  | {
      outcome: 'undecryptable';
      sender?: DeviceAddress;
      /** Java exception name + message, e.g. `DuplicateMessageException: …`. */
      error: string;
      /** A SignalMessage (not prekey) that failed other than as a duplicate: self-healing applies. */
      brokenSession: boolean;
    };

function describe(e: unknown): string {
  if (e instanceof SignalError || e instanceof MalformedOmemoError)
    return `${e.name}: ${e.message}`;
  return `Error: ${(e as Error).message ?? String(e)}`;
}

/**
 * One account's OMEMO, Conversations-style, over its Signal store: decrypt an incoming message
 * element, encrypt a text for a set of devices, build key transport messages.
 */
export class OmemoAccount {
  readonly store: ProfileSignalStore;

  constructor(store: ProfileSignalStore) {
    this.store = store;
  }

  get jid(): string {
    return this.store.ownJid;
  }

  get deviceId(): number {
    return this.store.getLocalRegistrationId();
  }

  get fingerprint(): string {
    return fingerprintOf(this.store.ownIdentityKey());
  }

  /**
   * Decrypts the OMEMO element of a message from `senderJid` (bare). Never throws for bad input:
   * anything that does not decrypt is an `undecryptable` outcome, never plaintext.
   * `usedPreKey` tells the caller to refill and republish the bundle.
   */
  decrypt(message: Element, senderJid: string): IncomingOmemo & { usedPreKey?: boolean } {
    const element = findEncrypted(message);
    if (!element)
      return { outcome: 'undecryptable', error: 'no OMEMO element', brokenSession: false };
    let parsed;
    try {
      parsed = parseEncrypted(element);
    } catch (e) {
      return { outcome: 'undecryptable', error: describe(e), brokenSession: false };
    }
    const sender: DeviceAddress = { name: senderJid, deviceId: parsed.sid };
    const ownId = this.deviceId;
    const mine = parsed.keys.filter((k) => k.rid === ownId);
    if (mine.length === 0) {
      return {
        outcome: 'not-encrypted-for-this-device',
        sender,
        reflectedOwn: senderJid === this.jid && parsed.sid === ownId,
        rids: parsed.keys.map((k) => k.rid),
      };
    }
    if (senderJid === this.jid && parsed.sid === ownId) {
      return {
        outcome: 'undecryptable',
        sender,
        error: 'message claims to come from this device',
        brokenSession: false,
      };
    }
    let lastError: unknown;
    for (const key of mine) {
      try {
        const result = this.decryptKey(sender, key);
        const fingerprint = this.remoteFingerprint(sender);
        if (!parsed.payload) {
          if (result.plaintext.length < 16)
            throw new MalformedOmemoError('key transport key too short');
          return { outcome: 'key-transport', sender, fingerprint, usedPreKey: result.usedPreKey };
        }
        const plaintext = decryptPayload(result.plaintext, parsed.iv, parsed.payload);
        return {
          outcome: 'plaintext',
          plaintext,
          sender,
          fingerprint,
          usedPreKey: result.usedPreKey,
        };
      } catch (e) {
        lastError = e;
      }
    }
    const preKey = mine.some((k) => k.preKey);
    const isSignal = lastError instanceof SignalError;
    const duplicate = lastError instanceof SignalError && lastError.code === 'duplicate-message';
    return {
      outcome: 'undecryptable',
      sender,
      error: describe(lastError),
      brokenSession: !preKey && isSignal && !duplicate,
    };
  }

  private decryptKey(sender: DeviceAddress, key: OmemoKeyElement) {
    if (key.preKey) {
      const r = decryptPreKeySignalMessage(this.store, sender, key.data);
      return { plaintext: r.plaintext, usedPreKey: r.usedPreKeyId !== undefined };
    }
    return {
      plaintext: decryptSignalMessage(this.store, sender, key.data).plaintext,
      usedPreKey: false,
    };
  }

  private remoteFingerprint(sender: DeviceAddress): string {
    const remote = this.store.loadSession(sender)?.currentSession?.remoteIdentityPublic;
    return remote ? fingerprintOf(remote) : '';
  }

  hasSession(address: DeviceAddress): boolean {
    return hasSession(this.store, address);
  }

  /** The `<encrypted/>` element carrying `text` for every device in `recipients` that has a session. */
  encrypt(
    text: string,
    recipients: DeviceAddress[],
  ): { element: Element; devices: DeviceAddress[] } {
    const { iv, payload, keyMaterial } = encryptPayload(text);
    const { keys, devices } = this.keysFor(recipients, keyMaterial);
    return { element: encryptedElement({ sid: this.deviceId, keys, iv, payload }), devices };
  }

  /** An empty key transport message (completes or heals a session). */
  keyTransport(recipients: DeviceAddress[]): { element: Element; devices: DeviceAddress[] } {
    const { iv, keyMaterial } = keyTransportMaterial();
    const { keys, devices } = this.keysFor(recipients, keyMaterial);
    return { element: encryptedElement({ sid: this.deviceId, keys, iv }), devices };
  }

  private keysFor(recipients: DeviceAddress[], keyMaterial: Buffer) {
    const keys: OmemoKeyElement[] = [];
    const devices: DeviceAddress[] = [];
    for (const r of recipients) {
      if (r.name === this.jid && r.deviceId === this.deviceId) continue;
      if (!this.hasSession(r)) continue;
      const m = encryptFor(this.store, r, keyMaterial);
      keys.push({ rid: r.deviceId, preKey: m.preKey, data: m.body });
      devices.push(r);
    }
    return { keys, devices };
  }
}
