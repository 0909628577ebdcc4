import { calculateAgreement, type KeyPair } from './curve.js';
import { hkdf, hmacSha256 } from './kdf.js';
import type { ChainStructure, MessageKeyStructure, SessionStructure } from './records.js';

/**
 * The Double Ratchet on libsignal-protocol-java's `SessionStructure`, mirroring its `SessionState`,
 * `ChainKey` and `RootKey` so that the records ferry writes are the records Java would write.
 */
export const MAX_RECEIVER_CHAINS = 5;
export const MAX_MESSAGE_KEYS = 2000;
export const MAX_ARCHIVED_STATES = 40;

export interface ChainKey {
  key: Buffer;
  index: number;
}

export interface MessageKeys {
  cipherKey: Buffer;
  macKey: Buffer;
  iv: Buffer;
  index: number;
}

export function messageKeysOf(chainKey: ChainKey): MessageKeys {
  const seed = hmacSha256(chainKey.key, Buffer.from([0x01]));
  const material = hkdf(seed, undefined, 'WhisperMessageKeys', 80);
  return {
    cipherKey: material.subarray(0, 32),
    macKey: material.subarray(32, 64),
    iv: material.subarray(64, 80),
    index: chainKey.index,
  };
}

export function nextChainKey(chainKey: ChainKey): ChainKey {
  return { key: hmacSha256(chainKey.key, Buffer.from([0x02])), index: chainKey.index + 1 };
}

/** `RootKey.createChain`: a DH ratchet step giving the next root key and a new chain key. */
export function createChain(
  rootKey: Uint8Array,
  theirRatchetKey: Uint8Array,
  ourRatchetKey: KeyPair,
): { rootKey: Buffer; chainKey: ChainKey } {
  const shared = calculateAgreement(theirRatchetKey, ourRatchetKey.privateKey);
  const derived = hkdf(shared, rootKey, 'WhisperRatchet', 64);
  return {
    rootKey: derived.subarray(0, 32),
    chainKey: { key: derived.subarray(32, 64), index: 0 },
  };
}

function sameKey(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
}

export function receiverChain(
  state: SessionStructure,
  senderRatchetKey: Uint8Array,
): ChainStructure | undefined {
  return state.receiverChains?.find((c) => sameKey(c.senderRatchetKey, senderRatchetKey));
}

export function addReceiverChain(
  state: SessionStructure,
  senderRatchetKey: Uint8Array,
  chainKey: ChainKey,
): void {
  const chains = (state.receiverChains ??= []);
  chains.push({
    senderRatchetKey: Buffer.from(senderRatchetKey),
    chainKey: { index: chainKey.index, key: chainKey.key },
  });
  if (chains.length > MAX_RECEIVER_CHAINS) chains.shift();
}

export function setSenderChain(state: SessionStructure, keyPair: KeyPair, chainKey: ChainKey) {
  state.senderChain = {
    senderRatchetKey: keyPair.publicKey,
    senderRatchetKeyPrivate: keyPair.privateKey,
    chainKey: { index: chainKey.index, key: chainKey.key },
  };
}

export function senderChainKey(state: SessionStructure): ChainKey {
  const ck = state.senderChain?.chainKey;
  if (!ck?.key) throw new Error('session has no sending chain');
  return { key: Buffer.from(ck.key), index: ck.index ?? 0 };
}

export function senderRatchetKeyPair(state: SessionStructure): KeyPair {
  const chain = state.senderChain;
  if (!chain?.senderRatchetKey || !chain.senderRatchetKeyPrivate) {
    throw new Error('session has no sending ratchet key');
  }
  return {
    publicKey: Buffer.from(chain.senderRatchetKey),
    privateKey: Buffer.from(chain.senderRatchetKeyPrivate),
  };
}

export function setMessageKeys(chain: ChainStructure, keys: MessageKeys): void {
  const list = (chain.messageKeys ??= []);
  const entry: MessageKeyStructure = {
    index: keys.index,
    cipherKey: keys.cipherKey,
    macKey: keys.macKey,
    iv: keys.iv,
  };
  list.push(entry);
  if (list.length > MAX_MESSAGE_KEYS) list.shift();
}

/** Takes a stored (skipped) message key out of the chain, if there is one for `index`. */
export function takeMessageKeys(chain: ChainStructure, index: number): MessageKeys | undefined {
  const list = chain.messageKeys;
  if (!list) return undefined;
  const at = list.findIndex((k) => (k.index ?? 0) === index);
  if (at < 0) return undefined;
  const [k] = list.splice(at, 1);
  if (!k?.cipherKey || !k.macKey || !k.iv) return undefined;
  return {
    cipherKey: Buffer.from(k.cipherKey),
    macKey: Buffer.from(k.macKey),
    iv: Buffer.from(k.iv),
    index,
  };
}
