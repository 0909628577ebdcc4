import type Database from 'better-sqlite3';
import {
  listIdentities,
  listSessionAddresses,
  readAccountKeys,
  readOwnIdentity,
  readSession,
} from '../store/omemo-keys.js';
import { fingerprintOf } from './fingerprint.js';
import { IdentityKeyPairCodec, SessionRecordCodec } from './records.js';

/** What `ferry omemo fingerprints` shows: this device and every known key of every contact. */
export interface OwnDevice {
  jid: string;
  deviceId: number | null;
  fingerprint: string | null;
}

export interface KnownKey {
  jid: string;
  fingerprint: string;
  trust: string;
  active: boolean;
  /** Device ids this account has a session with that use this key. */
  devices: number[];
}

export function ownDevice(db: Database.Database, accountUuid: string, jid: string): OwnDevice {
  const id = Number(readAccountKeys(db, accountUuid).axolotl_reg_id);
  const own = readOwnIdentity(db, accountUuid);
  const pub = own ? IdentityKeyPairCodec.decode(own.key).publicKey : undefined;
  return {
    jid,
    deviceId: Number.isInteger(id) && id > 0 ? id : null,
    fingerprint: pub ? fingerprintOf(pub) : null,
  };
}

export function knownKeys(
  db: Database.Database,
  accountUuid: string,
  contact?: string,
): KnownKey[] {
  const sessions = listSessionAddresses(db, accountUuid, contact);
  const deviceOf = new Map<string, number[]>();
  for (const s of sessions) {
    const bytes = readSession(db, accountUuid, s.name, s.deviceId);
    if (!bytes) continue;
    let remote: Uint8Array | undefined;
    try {
      remote = SessionRecordCodec.decode(bytes).currentSession?.remoteIdentityPublic;
    } catch {
      continue;
    }
    if (!remote) continue;
    const k = `${s.name}\u0000${fingerprintOf(remote)}`;
    deviceOf.set(k, [...(deviceOf.get(k) ?? []), s.deviceId]);
  }
  return listIdentities(db, accountUuid, contact)
    .filter((i) => !i.ownkey)
    .map((i) => ({
      jid: i.name,
      fingerprint: i.fingerprint,
      trust: i.trust,
      active: i.active,
      devices: deviceOf.get(`${i.name}\u0000${i.fingerprint}`) ?? [],
    }));
}

/** Accepts a fingerprint as shown (groups, upper case, with or without the leading 05). */
export function normaliseFingerprint(text: string): string | undefined {
  const hex = text.replace(/[\s:]/g, '').toLowerCase();
  if (/^05[0-9a-f]{64}$/.test(hex)) return hex;
  if (/^[0-9a-f]{64}$/.test(hex)) return `05${hex}`;
  return undefined;
}
