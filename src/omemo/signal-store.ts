import type {
  IdentityKeyPairStructure,
  PreKeyRecordStructure,
  RecordStructure,
  SignedPreKeyRecordStructure,
} from './records.js';

/** Where a peer's device is addressed: bare JID + device id (Signal's `SignalProtocolAddress`). */
export interface DeviceAddress {
  name: string;
  deviceId: number;
}

export type IdentityDirection = 'sending' | 'receiving';

/**
 * What the Signal layer needs from storage, records in libsignal-protocol-java's shapes.
 * Synchronous, because the profile database (better-sqlite3) is.
 */
export interface SignalStore {
  getIdentityKeyPair(): IdentityKeyPairStructure;
  getLocalRegistrationId(): number;
  loadPreKey(id: number): PreKeyRecordStructure | undefined;
  removePreKey(id: number): void;
  loadSignedPreKey(id: number): SignedPreKeyRecordStructure | undefined;
  loadSession(address: DeviceAddress): RecordStructure | undefined;
  storeSession(address: DeviceAddress, record: RecordStructure): void;
  isTrustedIdentity(
    address: DeviceAddress,
    identityKey: Uint8Array,
    dir: IdentityDirection,
  ): boolean;
  saveIdentity(address: DeviceAddress, identityKey: Uint8Array): void;
}
