import { fingerprintOf } from './fingerprint.js';
import type {
  IdentityKeyPairStructure,
  PreKeyRecordStructure,
  RecordStructure,
  SignedPreKeyRecordStructure,
} from './records.js';
import { SessionRecordCodec } from './records.js';
import type { DeviceAddress, SignalStore } from './signal-store.js';

/**
 * A Signal store held in memory (records kept serialised, as a database would), for a peer in tests
 * and benchmarks — e.g. Bob's Java state from the fixture.
 */
export class MemorySignalStore implements SignalStore {
  readonly preKeys = new Map<number, PreKeyRecordStructure>();
  readonly signedPreKeys = new Map<number, SignedPreKeyRecordStructure>();
  readonly sessions = new Map<string, Buffer>();
  readonly identities = new Map<string, string>();

  constructor(
    private readonly identity: IdentityKeyPairStructure,
    private readonly registrationId: number,
  ) {}

  getIdentityKeyPair(): IdentityKeyPairStructure {
    return this.identity;
  }
  getLocalRegistrationId(): number {
    return this.registrationId;
  }
  loadPreKey(id: number): PreKeyRecordStructure | undefined {
    return this.preKeys.get(id);
  }
  removePreKey(id: number): void {
    this.preKeys.delete(id);
  }
  loadSignedPreKey(id: number): SignedPreKeyRecordStructure | undefined {
    return this.signedPreKeys.get(id);
  }
  loadSession(a: DeviceAddress): RecordStructure | undefined {
    const bytes = this.sessions.get(`${a.name}:${a.deviceId}`);
    return bytes ? SessionRecordCodec.decode(bytes) : undefined;
  }
  storeSession(a: DeviceAddress, record: RecordStructure): void {
    this.sessions.set(`${a.name}:${a.deviceId}`, SessionRecordCodec.encode(record));
  }
  sessionBytes(a: DeviceAddress): Buffer | undefined {
    return this.sessions.get(`${a.name}:${a.deviceId}`);
  }
  isTrustedIdentity(): boolean {
    return true;
  }
  saveIdentity(a: DeviceAddress, key: Uint8Array): void {
    this.identities.set(`${a.name}:${a.deviceId}`, fingerprintOf(key));
  }
}
