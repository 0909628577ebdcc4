import protobuf from 'protobufjs';
import { RecordError } from './errors.js';

/**
 * The few fields of libsignal's storage records (`LocalStorageProtocol.proto`) that a move
 * between clients looks at. Conversations (libsignal-protocol-java), profanity
 * (libsignal-protocol-c) and Dino (libsignal-protocol-c) serialise these records the same way, so
 * records are carried as bytes and only read here to check them and to learn whose key a session
 * holds. (The OMEMO engine's full codecs are in src/omemo/records.ts, a layer this one may not use.)
 */
const PROTO = `
syntax = "proto2";
message SessionStructure {
  optional uint32 sessionVersion = 1;
  optional bytes localIdentityPublic = 2;
  optional bytes remoteIdentityPublic = 3;
  optional bytes rootKey = 4;
}
message RecordStructure {
  optional SessionStructure currentSession = 1;
  repeated SessionStructure previousSessions = 2;
}
message PreKeyRecordStructure {
  optional uint32 id = 1;
  optional bytes publicKey = 2;
  optional bytes privateKey = 3;
}
message SignedPreKeyRecordStructure {
  optional uint32 id = 1;
  optional bytes publicKey = 2;
  optional bytes privateKey = 3;
  optional bytes signature = 4;
}
message IdentityKeyPairStructure {
  optional bytes publicKey = 1;
  optional bytes privateKey = 2;
}
`;

const root = protobuf.parse(PROTO).root;
const types = {
  record: root.lookupType('RecordStructure'),
  preKey: root.lookupType('PreKeyRecordStructure'),
  signedPreKey: root.lookupType('SignedPreKeyRecordStructure'),
  identityPair: root.lookupType('IdentityKeyPairStructure'),
};

export { RecordError };

function decode(type: protobuf.Type, bytes: Uint8Array, what: string): Record<string, unknown> {
  try {
    return type.toObject(type.decode(bytes), { defaults: false }) as Record<string, unknown>;
  } catch {
    throw new RecordError(`${what} is not a libsignal record`);
  }
}

function bytesField(obj: Record<string, unknown>, name: string): Buffer | undefined {
  const v = obj[name];
  return v instanceof Uint8Array && v.length > 0 ? Buffer.from(v) : undefined;
}

/** A serialised public key (33 bytes: type byte 0x05, then 32). */
function checkPublicKey(key: Buffer | undefined, what: string): Buffer {
  if (!key || key.length !== 33 || key[0] !== 0x05) {
    throw new RecordError(`${what} has no valid public key`);
  }
  return key;
}

/** The identity key of the device a session record is with (its current session). */
export function sessionRemoteIdentity(record: Uint8Array): Buffer {
  const r = decode(types.record, record, 'a session');
  const current = r.currentSession as Record<string, unknown> | undefined;
  if (!current) throw new RecordError('a session record holds no session');
  return checkPublicKey(bytesField(current, 'remoteIdentityPublic'), 'a session');
}

/** Checks a prekey record; returns its id. */
export function preKeyId(record: Uint8Array): number {
  const r = decode(types.preKey, record, 'a prekey');
  checkPublicKey(bytesField(r, 'publicKey'), 'a prekey');
  if (bytesField(r, 'privateKey')?.length !== 32)
    throw new RecordError('a prekey has no private key');
  return Number(r.id ?? 0);
}

/** Checks a signed prekey record; returns its id. */
export function signedPreKeyId(record: Uint8Array): number {
  const r = decode(types.signedPreKey, record, 'a signed prekey');
  checkPublicKey(bytesField(r, 'publicKey'), 'a signed prekey');
  if (bytesField(r, 'privateKey')?.length !== 32) {
    throw new RecordError('a signed prekey has no private key');
  }
  if (bytesField(r, 'signature')?.length !== 64) {
    throw new RecordError('a signed prekey has no signature');
  }
  return Number(r.id ?? 0);
}

export interface IdentityKeyPair {
  /** 33 bytes, 0x05 first. */
  publicKey: Buffer;
  /** 32 bytes. */
  privateKey: Buffer;
}

/** Conversations' own identity row (`IdentityKeyPair.serialize()`). */
export function decodeIdentityKeyPair(record: Uint8Array): IdentityKeyPair {
  const r = decode(types.identityPair, record, 'the identity key pair');
  const publicKey = checkPublicKey(bytesField(r, 'publicKey'), 'the identity key pair');
  const privateKey = bytesField(r, 'privateKey');
  if (privateKey?.length !== 32) throw new RecordError('the identity key pair has no private key');
  return { publicKey, privateKey };
}

export function encodeIdentityKeyPair(pair: IdentityKeyPair): Buffer {
  return Buffer.from(
    types.identityPair
      .encode(types.identityPair.create({ publicKey: pair.publicKey, privateKey: pair.privateKey }))
      .finish(),
  );
}

/** Checks a serialised identity public key (33 bytes, 0x05 first). */
export function checkIdentityKey(key: Uint8Array, what: string): Buffer {
  return checkPublicKey(Buffer.from(key), what);
}

/** Conversations' fingerprint: lowercase hex of the 33-byte serialised public key. */
export function fingerprintOf(publicKey: Uint8Array): string {
  return Buffer.from(publicKey).toString('hex');
}
