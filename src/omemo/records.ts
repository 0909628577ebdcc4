import protobuf from 'protobufjs';

/**
 * libsignal-protocol-java's storage records (`protobuf/LocalStorageProtocol.proto`, package
 * `textsecure`) and wire messages (`WhisperTextProtocol.proto`), field numbers as Java has them.
 * Records are decoded to plain objects that keep every field Java wrote (including ones ferry does
 * not use) so that re-encoding gives the same bytes. Java emits fields in field-number order;
 * protobufjs does too.
 */
const PROTO = `
syntax = "proto2";
package textsecure;

message SessionStructure {
  message Chain {
    optional bytes senderRatchetKey = 1;
    optional bytes senderRatchetKeyPrivate = 2;
    message ChainKey {
      optional uint32 index = 1;
      optional bytes key = 2;
    }
    optional ChainKey chainKey = 3;
    message MessageKey {
      optional uint32 index = 1;
      optional bytes cipherKey = 2;
      optional bytes macKey = 3;
      optional bytes iv = 4;
    }
    repeated MessageKey messageKeys = 4;
  }
  message PendingKeyExchange {
    optional uint32 sequence = 1;
    optional bytes localBaseKey = 2;
    optional bytes localBaseKeyPrivate = 3;
    optional bytes localRatchetKey = 4;
    optional bytes localRatchetKeyPrivate = 5;
    optional bytes localIdentityKey = 7;
    optional bytes localIdentityKeyPrivate = 8;
  }
  message PendingPreKey {
    optional uint32 preKeyId = 1;
    optional int32 signedPreKeyId = 3;
    optional bytes baseKey = 2;
  }
  optional uint32 sessionVersion = 1;
  optional bytes localIdentityPublic = 2;
  optional bytes remoteIdentityPublic = 3;
  optional bytes rootKey = 4;
  optional uint32 previousCounter = 5;
  optional Chain senderChain = 6;
  repeated Chain receiverChains = 7;
  optional PendingKeyExchange pendingKeyExchange = 8;
  optional PendingPreKey pendingPreKey = 9;
  optional uint32 remoteRegistrationId = 10;
  optional uint32 localRegistrationId = 11;
  optional bool needsRefresh = 12;
  optional bytes aliceBaseKey = 13;
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
  optional fixed64 timestamp = 5;
}

message IdentityKeyPairStructure {
  optional bytes publicKey = 1;
  optional bytes privateKey = 2;
}

message SignalMessage {
  optional bytes ratchetKey = 1;
  optional uint32 counter = 2;
  optional uint32 previousCounter = 3;
  optional bytes ciphertext = 4;
}

message PreKeySignalMessage {
  optional uint32 registrationId = 5;
  optional uint32 preKeyId = 1;
  optional uint32 signedPreKeyId = 6;
  optional bytes baseKey = 2;
  optional bytes identityKey = 3;
  optional bytes message = 4;
}
`;

export interface ChainKeyStructure {
  index?: number;
  key?: Uint8Array;
}

export interface MessageKeyStructure {
  index?: number;
  cipherKey?: Uint8Array;
  macKey?: Uint8Array;
  iv?: Uint8Array;
}

export interface ChainStructure {
  senderRatchetKey?: Uint8Array;
  senderRatchetKeyPrivate?: Uint8Array;
  chainKey?: ChainKeyStructure;
  messageKeys?: MessageKeyStructure[];
}

export interface PendingKeyExchangeStructure {
  sequence?: number;
  localBaseKey?: Uint8Array;
  localBaseKeyPrivate?: Uint8Array;
  localRatchetKey?: Uint8Array;
  localRatchetKeyPrivate?: Uint8Array;
  localIdentityKey?: Uint8Array;
  localIdentityKeyPrivate?: Uint8Array;
}

export interface PendingPreKeyStructure {
  preKeyId?: number;
  signedPreKeyId?: number;
  baseKey?: Uint8Array;
}

export interface SessionStructure {
  sessionVersion?: number;
  localIdentityPublic?: Uint8Array;
  remoteIdentityPublic?: Uint8Array;
  rootKey?: Uint8Array;
  previousCounter?: number;
  senderChain?: ChainStructure;
  receiverChains?: ChainStructure[];
  pendingKeyExchange?: PendingKeyExchangeStructure;
  pendingPreKey?: PendingPreKeyStructure;
  remoteRegistrationId?: number;
  localRegistrationId?: number;
  needsRefresh?: boolean;
  aliceBaseKey?: Uint8Array;
}

export interface RecordStructure {
  currentSession?: SessionStructure;
  previousSessions?: SessionStructure[];
}

export interface PreKeyRecordStructure {
  id?: number;
  publicKey?: Uint8Array;
  privateKey?: Uint8Array;
}

export interface SignedPreKeyRecordStructure {
  id?: number;
  publicKey?: Uint8Array;
  privateKey?: Uint8Array;
  signature?: Uint8Array;
  /** Java `long` milliseconds, kept as a decimal string so it round-trips exactly. */
  timestamp?: string;
}

export interface IdentityKeyPairStructure {
  publicKey?: Uint8Array;
  privateKey?: Uint8Array;
}

export interface SignalMessageStructure {
  ratchetKey?: Uint8Array;
  counter?: number;
  previousCounter?: number;
  ciphertext?: Uint8Array;
}

export interface PreKeySignalMessageStructure {
  registrationId?: number;
  preKeyId?: number;
  signedPreKeyId?: number;
  baseKey?: Uint8Array;
  identityKey?: Uint8Array;
  message?: Uint8Array;
}

const root = protobuf.parse(PROTO, { keepCase: true }).root;

/** A typed codec for one message type; decoding keeps only the fields present in the bytes. */
export interface RecordCodec<T> {
  decode(bytes: Uint8Array): T;
  encode(value: T): Buffer;
}

function codec<T>(name: string): RecordCodec<T> {
  const type = root.lookupType(`textsecure.${name}`);
  return {
    decode(bytes: Uint8Array): T {
      const message = type.decode(bytes);
      return type.toObject(message, { longs: String, defaults: false }) as T;
    },
    encode(value: T): Buffer {
      const message = type.fromObject(value as Record<string, unknown>);
      return Buffer.from(type.encode(message).finish());
    },
  };
}

export const SessionRecordCodec = codec<RecordStructure>('RecordStructure');
export const SessionStructureCodec = codec<SessionStructure>('SessionStructure');
export const PreKeyRecordCodec = codec<PreKeyRecordStructure>('PreKeyRecordStructure');
export const SignedPreKeyRecordCodec = codec<SignedPreKeyRecordStructure>(
  'SignedPreKeyRecordStructure',
);
export const IdentityKeyPairCodec = codec<IdentityKeyPairStructure>('IdentityKeyPairStructure');
export const SignalMessageCodec = codec<SignalMessageStructure>('SignalMessage');
export const PreKeySignalMessageCodec = codec<PreKeySignalMessageStructure>('PreKeySignalMessage');

/** A deep copy of a session state (Java copies the state before trying to decrypt with it). */
export function cloneSession(state: SessionStructure): SessionStructure {
  return SessionStructureCodec.decode(SessionStructureCodec.encode(state));
}
