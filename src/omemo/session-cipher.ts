import { createCipheriv, createDecipheriv } from 'node:crypto';
import { generateKeyPair } from './curve.js';
import {
  DuplicateMessageError,
  InvalidMessageError,
  NoSessionError,
  SignalError,
  UntrustedIdentityError,
} from './errors.js';
import {
  addReceiverChain,
  createChain,
  messageKeysOf,
  nextChainKey,
  receiverChain,
  senderChainKey,
  senderRatchetKeyPair,
  setMessageKeys,
  setSenderChain,
  takeMessageKeys,
  type ChainKey,
  type MessageKeys,
} from './ratchet.js';
import { cloneSession, type RecordStructure, type SessionStructure } from './records.js';
import { processPreKeySignalMessage } from './session-builder.js';
import { promoteState } from './session-record.js';
import type { DeviceAddress, SignalStore } from './signal-store.js';
import {
  CURRENT_VERSION,
  parsePreKeySignalMessage,
  parseSignalMessage,
  serializePreKeySignalMessage,
  serializeSignalMessage,
  verifyMac,
  type SignalMessage,
} from './wire.js';

/**
 * Signal's session cipher (as libsignal-protocol-java's `SessionCipher`) over Java session records.
 * Every operation loads the record, works on copies and stores it only when it succeeded, so a
 * refused message (duplicate, bad MAC) leaves the session exactly as it was.
 */

export interface EncryptedSignalMessage {
  /** true: PreKeySignalMessage (`prekey='true'` in OMEMO); false: SignalMessage. */
  preKey: boolean;
  body: Buffer;
}

function aesCbcEncrypt(keys: MessageKeys, plaintext: Uint8Array): Buffer {
  const cipher = createCipheriv('aes-256-cbc', keys.cipherKey, keys.iv);
  return Buffer.concat([cipher.update(plaintext), cipher.final()]);
}

function aesCbcDecrypt(keys: MessageKeys, ciphertext: Uint8Array): Buffer {
  try {
    const decipher = createDecipheriv('aes-256-cbc', keys.cipherKey, keys.iv);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch (e) {
    throw new InvalidMessageError(`Bad ciphertext: ${(e as Error).message}`);
  }
}

function hasSenderChain(state: SessionStructure | undefined): state is SessionStructure {
  return state?.senderChain !== undefined;
}

/** Encrypts with the current session of `record` (mutates it: the sending chain advances). */
export function encryptWithRecord(
  record: RecordStructure,
  plaintext: Uint8Array,
): EncryptedSignalMessage {
  const state = record.currentSession;
  if (!hasSenderChain(state)) throw new NoSessionError('No session to encrypt with');
  const chainKey = senderChainKey(state);
  const keys = messageKeysOf(chainKey);
  const local = state.localIdentityPublic;
  const remote = state.remoteIdentityPublic;
  if (!local || !remote) throw new NoSessionError('Session lacks identity keys');
  const message = serializeSignalMessage({
    macKey: keys.macKey,
    ratchetKey: senderRatchetKeyPair(state).publicKey,
    counter: chainKey.index,
    previousCounter: state.previousCounter ?? 0,
    ciphertext: aesCbcEncrypt(keys, plaintext),
    senderIdentity: local,
    receiverIdentity: remote,
  });
  const next = nextChainKey(chainKey);
  if (state.senderChain) state.senderChain.chainKey = { index: next.index, key: next.key };
  const pending = state.pendingPreKey;
  if (pending?.baseKey !== undefined) {
    return {
      preKey: true,
      body: serializePreKeySignalMessage({
        registrationId: state.localRegistrationId ?? 0,
        preKeyId: pending.preKeyId,
        signedPreKeyId: pending.signedPreKeyId ?? 0,
        baseKey: pending.baseKey,
        identityKey: local,
        message,
      }),
    };
  }
  return { preKey: false, body: message };
}

function chainKeyFor(state: SessionStructure, theirEphemeral: Buffer): ChainKey {
  const existing = receiverChain(state, theirEphemeral);
  if (existing?.chainKey?.key) {
    return { key: Buffer.from(existing.chainKey.key), index: existing.chainKey.index ?? 0 };
  }
  if (!state.rootKey) throw new InvalidMessageError('Session has no root key');
  const ourEphemeral = senderRatchetKeyPair(state);
  const receiving = createChain(state.rootKey, theirEphemeral, ourEphemeral);
  const ourNewEphemeral = generateKeyPair();
  const sending = createChain(receiving.rootKey, theirEphemeral, ourNewEphemeral);
  state.rootKey = sending.rootKey;
  addReceiverChain(state, theirEphemeral, receiving.chainKey);
  state.previousCounter = Math.max(senderChainKey(state).index - 1, 0);
  setSenderChain(state, ourNewEphemeral, sending.chainKey);
  return receiving.chainKey;
}

function messageKeysFor(
  state: SessionStructure,
  theirEphemeral: Buffer,
  start: ChainKey,
  counter: number,
): MessageKeys {
  const chain = receiverChain(state, theirEphemeral);
  if (!chain) throw new InvalidMessageError('Receiver chain missing');
  if (start.index > counter) {
    const stored = takeMessageKeys(chain, counter);
    if (stored) return stored;
    throw new DuplicateMessageError(
      `Received message with old counter: ${start.index} , ${counter}`,
    );
  }
  if (counter - start.index > 2000)
    throw new InvalidMessageError('Over 2000 messages into the future!');
  let chainKey = start;
  while (chainKey.index < counter) {
    setMessageKeys(chain, messageKeysOf(chainKey));
    chainKey = nextChainKey(chainKey);
  }
  const next = nextChainKey(chainKey);
  chain.chainKey = { index: next.index, key: next.key };
  return messageKeysOf(chainKey);
}

/** Decrypts with one session state (mutating it); throws Invalid/Duplicate as Java does. */
function decryptWithState(state: SessionStructure, message: SignalMessage): Buffer {
  if (!hasSenderChain(state)) throw new InvalidMessageError('Uninitialized session!');
  if (message.version !== (state.sessionVersion ?? 0)) {
    throw new InvalidMessageError(
      `Message version ${message.version}, but session version ${state.sessionVersion ?? 0}`,
    );
  }
  const chainKey = chainKeyFor(state, message.ratchetKey);
  const keys = messageKeysFor(state, message.ratchetKey, chainKey, message.counter);
  const remote = state.remoteIdentityPublic;
  const local = state.localIdentityPublic;
  if (!remote || !local) throw new InvalidMessageError('Session lacks identity keys');
  verifyMac(message, remote, local, keys.macKey);
  const plaintext = aesCbcDecrypt(keys, message.ciphertext);
  delete state.pendingPreKey;
  return plaintext;
}

/** Decrypts with the record's current state, then its previous ones (mutates `record`). */
export function decryptWithRecord(record: RecordStructure, message: SignalMessage): Buffer {
  const errors: SignalError[] = [];
  if (record.currentSession) {
    const copy = cloneSession(record.currentSession);
    try {
      const plaintext = decryptWithState(copy, message);
      record.currentSession = copy;
      return plaintext;
    } catch (e) {
      if (!(e instanceof InvalidMessageError)) throw e;
      errors.push(e);
    }
  } else {
    errors.push(new InvalidMessageError('Uninitialized session!'));
  }
  const previous = record.previousSessions ?? [];
  for (let i = 0; i < previous.length; i++) {
    const candidate = previous[i];
    if (!candidate) continue;
    const copy = cloneSession(candidate);
    try {
      const plaintext = decryptWithState(copy, message);
      previous.splice(i, 1);
      promoteState(record, copy);
      return plaintext;
    } catch (e) {
      if (!(e instanceof InvalidMessageError)) throw e;
      errors.push(e);
    }
  }
  throw new InvalidMessageError('No valid sessions.');
}

export interface DecryptResult {
  plaintext: Buffer;
  /** The prekey a PreKeySignalMessage used; the caller removes it and refills the bundle. */
  usedPreKeyId?: number;
}

/** Decrypts a SignalMessage from `address` (`SessionCipher.decrypt(SignalMessage)`). */
export function decryptSignalMessage(
  store: SignalStore,
  address: DeviceAddress,
  bytes: Uint8Array,
): DecryptResult {
  const message = parseSignalMessage(bytes);
  const record = store.loadSession(address);
  if (!record) throw new NoSessionError(`No session for: ${address.name}:${address.deviceId}`);
  const plaintext = decryptWithRecord(record, message);
  const remote = record.currentSession?.remoteIdentityPublic;
  if (!remote || !store.isTrustedIdentity(address, remote, 'receiving')) {
    throw new UntrustedIdentityError(`Untrusted identity: ${address.name}`);
  }
  store.saveIdentity(address, remote);
  store.storeSession(address, record);
  return { plaintext };
}

/** Decrypts a PreKeySignalMessage, building the session if needed (`SessionCipher.decrypt`). */
export function decryptPreKeySignalMessage(
  store: SignalStore,
  address: DeviceAddress,
  bytes: Uint8Array,
): DecryptResult {
  const message = parsePreKeySignalMessage(bytes);
  if (message.version !== CURRENT_VERSION) throw new InvalidMessageError('Unknown version');
  const loaded = store.loadSession(address);
  const record: RecordStructure = loaded ?? {};
  const usedPreKeyId = processPreKeySignalMessage(
    store,
    address,
    record,
    loaded === undefined,
    message,
  );
  const plaintext = decryptWithRecord(record, message.message);
  store.storeSession(address, record);
  if (usedPreKeyId !== undefined) store.removePreKey(usedPreKeyId);
  return usedPreKeyId !== undefined ? { plaintext, usedPreKeyId } : { plaintext };
}

/** Encrypts for `address` with its stored session and stores the advanced session. */
export function encryptFor(
  store: SignalStore,
  address: DeviceAddress,
  plaintext: Uint8Array,
): EncryptedSignalMessage {
  const record = store.loadSession(address);
  if (!record?.currentSession?.senderChain) {
    throw new NoSessionError(`No session for: ${address.name}:${address.deviceId}`);
  }
  const remote = record.currentSession.remoteIdentityPublic;
  if (!remote || !store.isTrustedIdentity(address, remote, 'sending')) {
    throw new UntrustedIdentityError(`Untrusted identity: ${address.name}`);
  }
  const result = encryptWithRecord(record, plaintext);
  store.storeSession(address, record);
  return result;
}

/** true when a usable session with `address` exists. */
export function hasSession(store: SignalStore, address: DeviceAddress): boolean {
  return store.loadSession(address)?.currentSession?.senderChain !== undefined;
}
