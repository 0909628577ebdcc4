import { timingSafeEqual } from 'node:crypto';
import { rawPublicKey } from './curve.js';
import { InvalidMessageError } from './errors.js';
import { hmacSha256 } from './kdf.js';
import { PreKeySignalMessageCodec, SignalMessageCodec } from './records.js';

/**
 * Signal's version-3 wire messages (libsignal `WhisperTextProtocol`): a version byte 0x33, the
 * protobuf, and for a SignalMessage an 8-byte truncated HMAC-SHA256 over both identity keys and
 * the message.
 */
export const CURRENT_VERSION = 3;
const VERSION_BYTE = (CURRENT_VERSION << 4) | CURRENT_VERSION;
const MAC_LENGTH = 8;

export interface SignalMessage {
  version: number;
  ratchetKey: Buffer;
  counter: number;
  previousCounter: number;
  ciphertext: Buffer;
  /** The whole message as received (version byte, protobuf, MAC). */
  serialized: Buffer;
}

export interface PreKeySignalMessage {
  version: number;
  registrationId: number;
  preKeyId: number | undefined;
  signedPreKeyId: number;
  baseKey: Buffer;
  identityKey: Buffer;
  message: SignalMessage;
  serialized: Buffer;
}

function checkVersion(first: number | undefined): number {
  if (first === undefined) throw new InvalidMessageError('Empty message.');
  const version = first >> 4;
  if (version < CURRENT_VERSION) throw new InvalidMessageError(`Legacy message: ${version}`);
  if (version > CURRENT_VERSION) throw new InvalidMessageError(`Unknown version: ${version}`);
  return version;
}

function checkPublicKey(key: Uint8Array | undefined, what: string): Buffer {
  if (!key || key.length !== 33 || key[0] !== 0x05) throw new InvalidMessageError(`Bad ${what}`);
  rawPublicKey(key);
  return Buffer.from(key);
}

function decodeOrInvalid<T>(decode: () => T): T {
  try {
    return decode();
  } catch (e) {
    throw new InvalidMessageError(`Malformed protobuf: ${(e as Error).message}`);
  }
}

export function parseSignalMessage(bytes: Uint8Array): SignalMessage {
  const serialized = Buffer.from(bytes);
  if (serialized.length < 1 + MAC_LENGTH) throw new InvalidMessageError('Message too short');
  const version = checkVersion(serialized[0]);
  const body = serialized.subarray(1, serialized.length - MAC_LENGTH);
  const m = decodeOrInvalid(() => SignalMessageCodec.decode(body));
  if (m.ratchetKey === undefined || m.counter === undefined || m.ciphertext === undefined) {
    throw new InvalidMessageError('Incomplete message.');
  }
  return {
    version,
    ratchetKey: checkPublicKey(m.ratchetKey, 'ratchet key'),
    counter: m.counter,
    previousCounter: m.previousCounter ?? 0,
    ciphertext: Buffer.from(m.ciphertext),
    serialized,
  };
}

function mac(
  senderIdentity: Uint8Array,
  receiverIdentity: Uint8Array,
  macKey: Uint8Array,
  data: Uint8Array,
) {
  return hmacSha256(macKey, Buffer.concat([senderIdentity, receiverIdentity, data])).subarray(
    0,
    MAC_LENGTH,
  );
}

export function verifyMac(
  message: SignalMessage,
  senderIdentity: Uint8Array,
  receiverIdentity: Uint8Array,
  macKey: Uint8Array,
): void {
  const data = message.serialized.subarray(0, message.serialized.length - MAC_LENGTH);
  const theirs = message.serialized.subarray(message.serialized.length - MAC_LENGTH);
  const ours = mac(senderIdentity, receiverIdentity, macKey, data);
  if (!timingSafeEqual(ours, theirs)) throw new InvalidMessageError('Bad Mac!');
}

export function serializeSignalMessage(opts: {
  macKey: Uint8Array;
  ratchetKey: Uint8Array;
  counter: number;
  previousCounter: number;
  ciphertext: Uint8Array;
  senderIdentity: Uint8Array;
  receiverIdentity: Uint8Array;
}): Buffer {
  const body = SignalMessageCodec.encode({
    ratchetKey: opts.ratchetKey,
    counter: opts.counter,
    previousCounter: opts.previousCounter,
    ciphertext: opts.ciphertext,
  });
  const data = Buffer.concat([Buffer.from([VERSION_BYTE]), body]);
  return Buffer.concat([data, mac(opts.senderIdentity, opts.receiverIdentity, opts.macKey, data)]);
}

export function parsePreKeySignalMessage(bytes: Uint8Array): PreKeySignalMessage {
  const serialized = Buffer.from(bytes);
  const version = checkVersion(serialized[0]);
  const m = decodeOrInvalid(() => PreKeySignalMessageCodec.decode(serialized.subarray(1)));
  if (
    m.signedPreKeyId === undefined ||
    m.baseKey === undefined ||
    m.identityKey === undefined ||
    m.message === undefined
  ) {
    throw new InvalidMessageError('Incomplete message.');
  }
  return {
    version,
    registrationId: m.registrationId ?? 0,
    preKeyId: m.preKeyId,
    signedPreKeyId: m.signedPreKeyId,
    baseKey: checkPublicKey(m.baseKey, 'base key'),
    identityKey: checkPublicKey(m.identityKey, 'identity key'),
    message: parseSignalMessage(m.message),
    serialized,
  };
}

export function serializePreKeySignalMessage(opts: {
  registrationId: number;
  preKeyId: number | undefined;
  signedPreKeyId: number;
  baseKey: Uint8Array;
  identityKey: Uint8Array;
  message: Uint8Array;
}): Buffer {
  const body = PreKeySignalMessageCodec.encode({
    registrationId: opts.registrationId,
    ...(opts.preKeyId !== undefined ? { preKeyId: opts.preKeyId } : {}),
    signedPreKeyId: opts.signedPreKeyId,
    baseKey: opts.baseKey,
    identityKey: opts.identityKey,
    message: opts.message,
  });
  return Buffer.concat([Buffer.from([VERSION_BYTE]), body]);
}
