import { NotABackupError, ValueTooLongError } from './errors.js';

/** Longest string Java's `DataOutputStream.writeUTF` accepts, in bytes of modified UTF-8. */
export const MAX_UTF_BYTES = 65535;

/**
 * Encodes a string as Java's modified UTF-8: NUL as `C0 80`, every UTF-16 code unit on its own
 * (so characters outside the BMP become two 3-byte surrogates), no length prefix.
 */
export function encodeModifiedUtf8(text: string): Buffer {
  let length = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    length += c >= 0x01 && c <= 0x7f ? 1 : c <= 0x7ff ? 2 : 3;
  }
  const out = Buffer.allocUnsafe(length);
  let o = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x01 && c <= 0x7f) {
      out[o++] = c;
    } else if (c <= 0x7ff) {
      out[o++] = 0xc0 | (c >> 6);
      out[o++] = 0x80 | (c & 0x3f);
    } else {
      out[o++] = 0xe0 | (c >> 12);
      out[o++] = 0x80 | ((c >> 6) & 0x3f);
      out[o++] = 0x80 | (c & 0x3f);
    }
  }
  return out;
}

/** `writeUTF`: a big-endian uint16 byte length, then the modified UTF-8 bytes. */
export function encodeJavaUtf(text: string, what: string): Buffer {
  const body = encodeModifiedUtf8(text);
  if (body.length > MAX_UTF_BYTES) {
    throw new ValueTooLongError(
      `${what} is ${body.length} bytes in modified UTF-8; the backup header allows at most ${MAX_UTF_BYTES}`,
    );
  }
  const out = Buffer.allocUnsafe(2 + body.length);
  out.writeUInt16BE(body.length, 0);
  body.copy(out, 2);
  return out;
}

/**
 * Decodes modified UTF-8 as Java's `readUTF` does: 1-, 2- and 3-byte forms only, each yielding one
 * UTF-16 code unit. Anything else is not a header Java wrote.
 */
export function decodeModifiedUtf8(bytes: Uint8Array, what: string): string {
  const units: number[] = [];
  let i = 0;
  const bad = (): never => {
    throw new NotABackupError(`the ${what} in the header is not valid modified UTF-8 (byte ${i})`);
  };
  while (i < bytes.length) {
    const a = bytes[i] as number;
    if (a < 0x80) {
      if (a === 0) bad();
      units.push(a);
      i += 1;
    } else if ((a & 0xe0) === 0xc0) {
      const b = bytes[i + 1];
      if (b === undefined || (b & 0xc0) !== 0x80) bad();
      units.push(((a & 0x1f) << 6) | ((b as number) & 0x3f));
      i += 2;
    } else if ((a & 0xf0) === 0xe0) {
      const b = bytes[i + 1];
      const c = bytes[i + 2];
      if (b === undefined || c === undefined || (b & 0xc0) !== 0x80 || (c & 0xc0) !== 0x80) bad();
      units.push(((a & 0x0f) << 12) | (((b as number) & 0x3f) << 6) | ((c as number) & 0x3f));
      i += 3;
    } else {
      bad();
    }
  }
  let text = '';
  for (let k = 0; k < units.length; k += 4096) {
    text += String.fromCharCode(...units.slice(k, k + 4096));
  }
  return text;
}
