import { randomInt } from 'node:crypto';
import type Database from 'better-sqlite3';
import {
  deletePreKey,
  findIdentity,
  insertIdentity,
  listIdentities,
  listPreKeyIds,
  listSignedPreKeys,
  readAccountKeys,
  readOwnIdentity,
  readPreKey,
  readSession,
  readSignedPreKey,
  writeAccountKey,
  writePreKey,
  writeSession,
  writeSignedPreKey,
} from '../store/omemo-keys.js';
import { calculateSignature, generateKeyPair } from './curve.js';
import { fingerprintOf } from './fingerprint.js';
import {
  IdentityKeyPairCodec,
  PreKeyRecordCodec,
  SessionRecordCodec,
  SignedPreKeyRecordCodec,
  type IdentityKeyPairStructure,
  type PreKeyRecordStructure,
  type RecordStructure,
  type SignedPreKeyRecordStructure,
} from './records.js';
import type { DeviceAddress, IdentityDirection, SignalStore } from './signal-store.js';

/** Conversations keeps this many one-time prekeys published. */
export const PREKEY_COUNT = 100;
export const KEY_REG_ID = 'axolotl_reg_id';
export const KEY_CUR_PREKEY_ID = 'axolotl_cur_prekey_id';

/**
 * The Signal store of one account, backed by Conversations' tables in the profile database
 * (Conversations' `SQLiteAxolotlStore`): records are libsignal-protocol-java's protobufs.
 */
export class ProfileSignalStore implements SignalStore {
  constructor(
    readonly db: Database.Database,
    readonly accountUuid: string,
    readonly ownJid: string,
  ) {}

  /** true when the account already has OMEMO keys (e.g. restored from a backup). */
  hasKeys(): boolean {
    return (
      readOwnIdentity(this.db, this.accountUuid) !== undefined &&
      readAccountKeys(this.db, this.accountUuid)[KEY_REG_ID] !== undefined
    );
  }

  /** Creates identity key, device id, signed prekey 1 and 100 prekeys, as on first start. */
  generateKeys(): Promise<void> {
    if (this.hasKeys()) return Promise.resolve();
    this.generating ??= this.generateKeysOnce().finally(() => {
      this.generating = undefined;
    });
    return this.generating;
  }

  private generating: Promise<void> | undefined;

  private async generateKeysOnce(): Promise<void> {
    if (this.hasKeys()) return;
    const identity = generateKeyPair();
    const registrationId = randomInt(1, 2 ** 31 - 1);
    const signedPreKey = await newSignedPreKey(identity.privateKey, 1);
    const tx = this.db.transaction(() => {
      insertIdentity(this.db, this.accountUuid, {
        name: this.ownJid,
        ownkey: true,
        fingerprint: fingerprintOf(identity.publicKey),
        trust: 'VERIFIED',
        active: true,
        lastActivation: null,
        key: IdentityKeyPairCodec.encode(identity),
      });
      writeAccountKey(this.db, this.accountUuid, KEY_REG_ID, String(registrationId));
      writeSignedPreKey(this.db, this.accountUuid, 1, SignedPreKeyRecordCodec.encode(signedPreKey));
      for (let id = 1; id <= PREKEY_COUNT; id++) this.writeNewPreKey(id);
      writeAccountKey(this.db, this.accountUuid, KEY_CUR_PREKEY_ID, String(PREKEY_COUNT));
    });
    tx();
  }

  private writeNewPreKey(id: number): void {
    const pair = generateKeyPair();
    writePreKey(this.db, this.accountUuid, id, PreKeyRecordCodec.encode({ id, ...pair }));
  }

  /** Tops the prekeys up to 100 with fresh ids after `axolotl_cur_prekey_id`; returns new ids. */
  refillPreKeys(): number[] {
    const have = listPreKeyIds(this.db, this.accountUuid).length;
    if (have >= PREKEY_COUNT) return [];
    const keys = readAccountKeys(this.db, this.accountUuid);
    let current = Number(keys[KEY_CUR_PREKEY_ID] ?? '0');
    const added: number[] = [];
    const tx = this.db.transaction(() => {
      for (let i = have; i < PREKEY_COUNT; i++) {
        current = (current % 0xfffffe) + 1;
        this.writeNewPreKey(current);
        added.push(current);
      }
      writeAccountKey(this.db, this.accountUuid, KEY_CUR_PREKEY_ID, String(current));
    });
    tx();
    return added;
  }

  getIdentityKeyPair(): IdentityKeyPairStructure {
    const own = readOwnIdentity(this.db, this.accountUuid);
    if (!own) throw new Error('this account has no OMEMO identity key');
    return IdentityKeyPairCodec.decode(own.key);
  }

  ownIdentityKey(): Buffer {
    const key = this.getIdentityKeyPair().publicKey;
    if (!key) throw new Error('identity key record without public key');
    return Buffer.from(key);
  }

  getLocalRegistrationId(): number {
    const id = Number(readAccountKeys(this.db, this.accountUuid)[KEY_REG_ID]);
    if (!Number.isInteger(id) || id <= 0) throw new Error('this account has no OMEMO device id');
    return id;
  }

  loadPreKey(id: number): PreKeyRecordStructure | undefined {
    const bytes = readPreKey(this.db, this.accountUuid, id);
    return bytes ? PreKeyRecordCodec.decode(bytes) : undefined;
  }

  listPreKeys(): PreKeyRecordStructure[] {
    return listPreKeyIds(this.db, this.accountUuid)
      .map((id) => this.loadPreKey(id))
      .filter((r): r is PreKeyRecordStructure => r !== undefined);
  }

  removePreKey(id: number): void {
    deletePreKey(this.db, this.accountUuid, id);
  }

  loadSignedPreKey(id: number): SignedPreKeyRecordStructure | undefined {
    const bytes = readSignedPreKey(this.db, this.accountUuid, id);
    return bytes ? SignedPreKeyRecordCodec.decode(bytes) : undefined;
  }

  /** The signed prekey to publish: the newest one. */
  currentSignedPreKey(): SignedPreKeyRecordStructure | undefined {
    const all = listSignedPreKeys(this.db, this.accountUuid);
    const last = all[all.length - 1];
    return last ? SignedPreKeyRecordCodec.decode(last.record) : undefined;
  }

  loadSession(address: DeviceAddress): RecordStructure | undefined {
    const bytes = readSession(this.db, this.accountUuid, address.name, address.deviceId);
    return bytes ? SessionRecordCodec.decode(bytes) : undefined;
  }

  storeSession(address: DeviceAddress, record: RecordStructure): void {
    writeSession(
      this.db,
      this.accountUuid,
      address.name,
      address.deviceId,
      SessionRecordCodec.encode(record),
    );
  }

  /** As Conversations: the Signal layer accepts every identity; trust decides what is shown/sent. */
  isTrustedIdentity(_a: DeviceAddress, identityKey: Uint8Array, _d: IdentityDirection): boolean {
    return identityKey.length === 33;
  }

  /** Records a contact's identity key the first time it is seen, trusted blindly until verified. */
  saveIdentity(address: DeviceAddress, identityKey: Uint8Array): void {
    const fingerprint = fingerprintOf(identityKey);
    if (address.name === this.ownJid && fingerprint === fingerprintOf(this.ownIdentityKey()))
      return;
    if (findIdentity(this.db, this.accountUuid, address.name, fingerprint)) return;
    const known = listIdentities(this.db, this.accountUuid, address.name);
    // The account's own identity (ownkey) is not a verified device: it must not make the
    // account's other devices undecided.
    const anyVerified = known.some((k) => k.trust === 'VERIFIED' && !k.ownkey);
    insertIdentity(this.db, this.accountUuid, {
      name: address.name,
      ownkey: false,
      fingerprint,
      trust: anyVerified ? 'UNDECIDED' : 'TRUSTED',
      active: true,
      lastActivation: Date.now(),
      key: identityKey,
    });
  }

  /** Trust of a contact's key by fingerprint, or undefined when never seen. */
  trustOf(name: string, identityKey: Uint8Array): string | undefined {
    return findIdentity(this.db, this.accountUuid, name, fingerprintOf(identityKey))?.trust;
  }
}

async function newSignedPreKey(
  identityPrivateKey: Buffer,
  id: number,
): Promise<SignedPreKeyRecordStructure> {
  const pair = generateKeyPair();
  const signature = await calculateSignature(identityPrivateKey, pair.publicKey);
  return { id, ...pair, signature, timestamp: String(Date.now()) };
}
