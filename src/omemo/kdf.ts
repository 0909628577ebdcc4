import { createHmac, hkdfSync } from 'node:crypto';

/** HMAC-SHA256. */
export function hmacSha256(key: Uint8Array, data: Uint8Array): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/** HKDF-SHA256 as libsignal's `HKDFv3` (RFC 5869; a missing salt is 32 zero bytes). */
export function hkdf(
  inputKeyMaterial: Uint8Array,
  salt: Uint8Array | undefined,
  info: string,
  length: number,
): Buffer {
  return Buffer.from(
    hkdfSync('sha256', inputKeyMaterial, salt ?? Buffer.alloc(32), Buffer.from(info), length),
  );
}
