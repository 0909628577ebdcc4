import {
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { InvalidKeyError } from './errors.js';

/**
 * Curve25519 as libsignal uses it: public keys serialised as 33 bytes (type byte 0x05 + 32 bytes),
 * private keys as 32 raw bytes. Key agreement and key generation use Node's X25519; XEdDSA
 * signatures (signed prekeys) use the curve of `@privacyresearch/libsignal-protocol-typescript`.
 */
export const DJB_TYPE = 0x05;

export interface KeyPair {
  /** 33 bytes, 0x05 first. */
  publicKey: Buffer;
  /** 32 bytes. */
  privateKey: Buffer;
}

export { InvalidKeyError };

/** The 32 key bytes of a serialised public key (accepts 33 bytes with 0x05, or 32 raw bytes). */
export function rawPublicKey(key: Uint8Array): Buffer {
  if (key.length === 33 && key[0] === DJB_TYPE) return Buffer.from(key.subarray(1));
  if (key.length === 32) return Buffer.from(key);
  throw new InvalidKeyError(`bad public key (${key.length} bytes)`);
}

export function serializePublicKey(raw32: Uint8Array): Buffer {
  if (raw32.length !== 32) throw new InvalidKeyError('public key must be 32 bytes');
  return Buffer.concat([Buffer.from([DJB_TYPE]), raw32]);
}

function privateKeyObject(privateKey: Uint8Array): KeyObject {
  if (privateKey.length !== 32) throw new InvalidKeyError('private key must be 32 bytes');
  return createPrivateKey({
    key: { kty: 'OKP', crv: 'X25519', d: Buffer.from(privateKey).toString('base64url'), x: '' },
    format: 'jwk',
  });
}

function publicKeyObject(publicKey: Uint8Array): KeyObject {
  return createPublicKey({
    key: { kty: 'OKP', crv: 'X25519', x: rawPublicKey(publicKey).toString('base64url') },
    format: 'jwk',
  });
}

/** Clamps 32 random bytes the way curve25519-java's `generatePrivateKey` does. */
function clamp(bytes: Buffer): Buffer {
  const out = Buffer.from(bytes);
  out[0] = (out[0] ?? 0) & 248;
  out[31] = ((out[31] ?? 0) & 127) | 64;
  return out;
}

export function publicKeyFromPrivate(privateKey: Uint8Array): Buffer {
  const jwk = createPublicKey(privateKeyObject(privateKey)).export({ format: 'jwk' });
  if (!jwk.x) throw new InvalidKeyError('cannot derive public key');
  return serializePublicKey(Buffer.from(jwk.x, 'base64url'));
}

export function generateKeyPair(): KeyPair {
  const { privateKey } = generateKeyPairSync('x25519');
  const jwk = privateKey.export({ format: 'jwk' });
  if (!jwk.d) throw new InvalidKeyError('cannot export generated key');
  const priv = clamp(Buffer.from(jwk.d, 'base64url'));
  return { privateKey: priv, publicKey: publicKeyFromPrivate(priv) };
}

/** X25519 shared secret (32 bytes). Rejects malformed keys with `InvalidKeyError`. */
export function calculateAgreement(publicKey: Uint8Array, privateKey: Uint8Array): Buffer {
  try {
    return diffieHellman({
      publicKey: publicKeyObject(publicKey),
      privateKey: privateKeyObject(privateKey),
    });
  } catch (e) {
    if (e instanceof InvalidKeyError) throw e;
    throw new InvalidKeyError(`key agreement failed: ${(e as Error).message}`);
  }
}

interface SignatureCurve {
  calculateSignature(privKey: ArrayBuffer, message: ArrayBuffer): ArrayBuffer;
  /** Quirk of the library: returns true when the signature is INVALID. */
  verifySignature(pubKey: ArrayBuffer, msg: ArrayBuffer, sig: ArrayBuffer): boolean;
}

let signatureCurve: Promise<SignatureCurve> | undefined;

/**
 * Loads the library's curve once. Its emscripten module installs process-wide
 * `uncaughtException`/`unhandledRejection` handlers that exit the process with code 7; the ones it
 * adds are removed again so the host process keeps its own error handling.
 */
function loadSignatureCurve(): Promise<SignatureCurve> {
  signatureCurve ??= (async () => {
    const before = {
      exc: new Set(process.listeners('uncaughtException')),
      rej: new Set(process.listeners('unhandledRejection')),
    };
    type Init = () => Promise<{ Curve: SignatureCurve }>;
    const lib = (await import('@privacyresearch/libsignal-protocol-typescript')) as unknown as {
      default: Init | { default: Init };
    };
    const init = typeof lib.default === 'function' ? lib.default : lib.default.default;
    const { Curve } = await init();
    for (const l of process.listeners('uncaughtException')) {
      if (!before.exc.has(l)) process.removeListener('uncaughtException', l);
    }
    for (const l of process.listeners('unhandledRejection')) {
      if (!before.rej.has(l)) process.removeListener('unhandledRejection', l);
    }
    return Curve;
  })();
  return signatureCurve;
}

function ab(bytes: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return copy.buffer;
}

/** XEdDSA signature (64 bytes) of `message` with a Curve25519 private key. */
export async function calculateSignature(
  privateKey: Uint8Array,
  message: Uint8Array,
): Promise<Buffer> {
  if (privateKey.length !== 32) throw new InvalidKeyError('private key must be 32 bytes');
  const curve = await loadSignatureCurve();
  return Buffer.from(curve.calculateSignature(ab(privateKey), ab(message)));
}

/** Checks an XEdDSA signature; false for a bad signature or malformed input. */
export async function verifySignature(
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  if (signature.length !== 64) return false;
  let serialized: Buffer;
  try {
    serialized = serializePublicKey(rawPublicKey(publicKey));
  } catch {
    return false;
  }
  const curve = await loadSignatureCurve();
  try {
    return !curve.verifySignature(ab(serialized), ab(message), ab(signature));
  } catch {
    return false;
  }
}
