import { calculateAgreement, generateKeyPair, verifySignature, type KeyPair } from './curve.js';
import { InvalidKeyIdError, InvalidSignalKeyError, UntrustedIdentityError } from './errors.js';
import { hkdf } from './kdf.js';
import { addReceiverChain, createChain, setSenderChain } from './ratchet.js';
import type { RecordStructure, SessionStructure } from './records.js';
import { archiveCurrentState } from './session-record.js';
import type { DeviceAddress, SignalStore } from './signal-store.js';
import { CURRENT_VERSION, type PreKeySignalMessage } from './wire.js';

/** A contact device's published bundle, keys serialised (33 bytes, 0x05 first). */
export interface PreKeyBundle {
  registrationId: number;
  deviceId: number;
  preKeyId?: number;
  preKeyPublic?: Buffer;
  signedPreKeyId: number;
  signedPreKeyPublic: Buffer;
  signedPreKeySignature: Buffer;
  identityKey: Buffer;
}

function derivedKeys(secrets: Buffer[]): {
  rootKey: Buffer;
  chainKey: { key: Buffer; index: number };
} {
  const material = hkdf(
    Buffer.concat([Buffer.alloc(32, 0xff), ...secrets]),
    undefined,
    'WhisperText',
    64,
  );
  return {
    rootKey: material.subarray(0, 32),
    chainKey: { key: material.subarray(32, 64), index: 0 },
  };
}

function ownKeyPair(store: SignalStore): KeyPair {
  const pair = store.getIdentityKeyPair();
  if (!pair.publicKey || !pair.privateKey) throw new InvalidSignalKeyError('No identity key pair');
  return { publicKey: Buffer.from(pair.publicKey), privateKey: Buffer.from(pair.privateKey) };
}

function recordKeyPair(r: { publicKey?: Uint8Array; privateKey?: Uint8Array } | undefined) {
  if (!r?.publicKey || !r.privateKey) return undefined;
  return { publicKey: Buffer.from(r.publicKey), privateKey: Buffer.from(r.privateKey) };
}

/** true when `record` already holds a session started with this base key. */
function hasSessionState(record: RecordStructure, baseKey: Buffer): boolean {
  const states = [record.currentSession, ...(record.previousSessions ?? [])];
  return states.some(
    (s) =>
      s?.sessionVersion === CURRENT_VERSION &&
      s.aliceBaseKey !== undefined &&
      Buffer.compare(Buffer.from(s.aliceBaseKey), baseKey) === 0,
  );
}

/**
 * Bob's side of X3DH for an incoming PreKeySignalMessage (`SessionBuilder.process`). Mutates
 * `record`; returns the one-time prekey id to remove once the message decrypted.
 */
export function processPreKeySignalMessage(
  store: SignalStore,
  address: DeviceAddress,
  record: RecordStructure,
  fresh: boolean,
  message: PreKeySignalMessage,
): number | undefined {
  if (!store.isTrustedIdentity(address, message.identityKey, 'receiving')) {
    throw new UntrustedIdentityError(`Untrusted identity: ${address.name}`);
  }
  if (hasSessionState(record, message.baseKey)) return undefined;
  const signed = recordKeyPair(store.loadSignedPreKey(message.signedPreKeyId));
  if (!signed) throw new InvalidKeyIdError(`No such signed prekey: ${message.signedPreKeyId}`);
  let oneTime: KeyPair | undefined;
  if (message.preKeyId !== undefined) {
    oneTime = recordKeyPair(store.loadPreKey(message.preKeyId));
    if (!oneTime) throw new InvalidKeyIdError(`No such prekeyrecord! ${message.preKeyId}`);
  }
  const identity = ownKeyPair(store);
  if (!fresh) archiveCurrentState(record);
  const secrets = [
    calculateAgreement(message.identityKey, signed.privateKey),
    calculateAgreement(message.baseKey, identity.privateKey),
    calculateAgreement(message.baseKey, signed.privateKey),
  ];
  if (oneTime) secrets.push(calculateAgreement(message.baseKey, oneTime.privateKey));
  const keys = derivedKeys(secrets);
  const state: SessionStructure = {
    sessionVersion: CURRENT_VERSION,
    localIdentityPublic: identity.publicKey,
    remoteIdentityPublic: message.identityKey,
  };
  setSenderChain(state, signed, keys.chainKey);
  state.rootKey = keys.rootKey;
  state.localRegistrationId = store.getLocalRegistrationId();
  state.remoteRegistrationId = message.registrationId;
  state.aliceBaseKey = message.baseKey;
  record.currentSession = state;
  store.saveIdentity(address, message.identityKey);
  return message.preKeyId !== undefined && message.preKeyId !== 0xffffff
    ? message.preKeyId
    : undefined;
}

/** Alice's side of X3DH: a new session with a device from its bundle (`SessionBuilder.process`). */
export async function processPreKeyBundle(
  store: SignalStore,
  address: DeviceAddress,
  bundle: PreKeyBundle,
): Promise<void> {
  if (!store.isTrustedIdentity(address, bundle.identityKey, 'sending')) {
    throw new UntrustedIdentityError(`Untrusted identity: ${address.name}`);
  }
  const valid = await verifySignature(
    bundle.identityKey,
    bundle.signedPreKeyPublic,
    bundle.signedPreKeySignature,
  );
  if (!valid) throw new InvalidSignalKeyError('Invalid signature on device key!');
  const loaded = store.loadSession(address);
  const record: RecordStructure = loaded ?? {};
  const identity = ownKeyPair(store);
  const ourBaseKey = generateKeyPair();
  if (loaded) archiveCurrentState(record);
  const sendingRatchetKey = generateKeyPair();
  const secrets = [
    calculateAgreement(bundle.signedPreKeyPublic, identity.privateKey),
    calculateAgreement(bundle.identityKey, ourBaseKey.privateKey),
    calculateAgreement(bundle.signedPreKeyPublic, ourBaseKey.privateKey),
  ];
  if (bundle.preKeyPublic)
    secrets.push(calculateAgreement(bundle.preKeyPublic, ourBaseKey.privateKey));
  const keys = derivedKeys(secrets);
  const sending = createChain(keys.rootKey, bundle.signedPreKeyPublic, sendingRatchetKey);
  const state: SessionStructure = {
    sessionVersion: CURRENT_VERSION,
    localIdentityPublic: identity.publicKey,
    remoteIdentityPublic: bundle.identityKey,
  };
  addReceiverChain(state, bundle.signedPreKeyPublic, keys.chainKey);
  setSenderChain(state, sendingRatchetKey, sending.chainKey);
  state.rootKey = sending.rootKey;
  state.pendingPreKey = {
    ...(bundle.preKeyPublic && bundle.preKeyId !== undefined ? { preKeyId: bundle.preKeyId } : {}),
    signedPreKeyId: bundle.signedPreKeyId,
    baseKey: ourBaseKey.publicKey,
  };
  state.localRegistrationId = store.getLocalRegistrationId();
  state.remoteRegistrationId = bundle.registrationId;
  state.aliceBaseKey = ourBaseKey.publicKey;
  record.currentSession = state;
  store.saveIdentity(address, bundle.identityKey);
  store.storeSession(address, record);
}
