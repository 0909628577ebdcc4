import { createDecipheriv } from 'node:crypto';
import { DamagedBackupError, WrongPasswordError } from './errors.js';

export const TAG_LENGTH = 16;
/** A gzip stream starts with these bytes (magic + deflate); a wrong key gives random ones. */
const GZIP_START = [0x1f, 0x8b, 0x08];

/** Whether the first decrypted bytes start a gzip stream (false: most likely a wrong password). */
export function startsGzip(key: Buffer, iv: Uint8Array, firstCiphertext: Uint8Array): boolean {
  const plain = firstPlainBytes(key, iv, firstCiphertext);
  return plain.length >= GZIP_START.length && GZIP_START.every((b, i) => plain[i] === b);
}

function firstPlainBytes(key: Buffer, iv: Uint8Array, firstCiphertext: Uint8Array): Buffer {
  const decipher = createDecipheriv('aes-128-gcm', key, iv);
  return decipher.update(firstCiphertext.subarray(0, GZIP_START.length));
}

/**
 * Whether the first decrypted bytes start a zlib stream (RFC 1950 header: deflate, check bits
 * valid) — what a right password on a body compressed the wrong way looks like. A wrong key gives
 * this by chance once in about 16,000 files; the tag then decides.
 */
export function startsZlib(key: Buffer, iv: Uint8Array, firstCiphertext: Uint8Array): boolean {
  const plain = firstPlainBytes(key, iv, firstCiphertext);
  const cmf = plain[0] ?? 0;
  const flg = plain[1] ?? 0;
  return plain.length >= 2 && (cmf & 0x0f) === 8 && cmf >> 4 <= 7 && (cmf * 256 + flg) % 31 === 0;
}

/**
 * Throws WrongPasswordError unless the first decrypted bytes start a gzip stream. Bytes that start
 * a zlib stream instead are checked against the whole file's tag (`authenticates` reads it): if the
 * file authenticates, the password was right and the body is damaged.
 */
export async function checkFirstBytes(
  key: Buffer,
  iv: Uint8Array,
  firstCiphertext: Uint8Array,
  authenticates?: () => Promise<boolean>,
): Promise<void> {
  if (startsGzip(key, iv, firstCiphertext)) return;
  if (authenticates && startsZlib(key, iv, firstCiphertext) && (await authenticates())) {
    throw new DamagedBackupError(
      "the backup's body is not gzip-compressed (it is a zlib stream): it is not what Conversations writes",
    );
  }
  throw new WrongPasswordError();
}

/** Whether `ciphertext` (ending with its tag) authenticates under `key`. */
export async function authenticatesWith(
  ciphertext: AsyncIterable<Uint8Array>,
  key: Buffer,
  iv: Uint8Array,
): Promise<boolean> {
  try {
    for await (const _ of decryptChunks(ciphertext, key, iv)) {
      // only the tag matters
    }
    return true;
  } catch {
    return false;
  }
}

/** What the decryption stage found, for callers that must know whether the file authenticated. */
export interface DecryptOutcome {
  finished: boolean;
  error?: Error;
}

/**
 * AES-128-GCM decryption of a stream whose last 16 bytes are the tag: holds back the trailing
 * 16 bytes while streaming and checks the tag at the end. The plaintext it yields is provisional
 * until the generator completes normally.
 */
export async function* decryptChunks(
  ciphertext: AsyncIterable<Uint8Array>,
  key: Buffer,
  iv: Uint8Array,
  outcome: DecryptOutcome = { finished: false },
): AsyncGenerator<Buffer> {
  const decipher = createDecipheriv('aes-128-gcm', key, iv);
  let held: Buffer = Buffer.alloc(0);
  try {
    for await (const chunk of ciphertext) {
      const joined = held.length === 0 ? Buffer.from(chunk) : Buffer.concat([held, chunk]);
      if (joined.length <= TAG_LENGTH) {
        held = joined;
        continue;
      }
      held = Buffer.from(joined.subarray(joined.length - TAG_LENGTH));
      const plain = decipher.update(joined.subarray(0, joined.length - TAG_LENGTH));
      if (plain.length > 0) yield plain;
    }
    if (held.length < TAG_LENGTH) {
      throw new DamagedBackupError('the file is too short: it ends before its authentication tag');
    }
    decipher.setAuthTag(held);
    let last: Buffer;
    try {
      last = decipher.final();
    } catch {
      throw new DamagedBackupError(
        'the file failed authentication: it is damaged, truncated or was changed after it was written',
      );
    }
    if (last.length > 0) yield last;
    outcome.finished = true;
  } catch (err) {
    outcome.error = err as Error;
    throw err;
  }
}
