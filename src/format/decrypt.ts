import { createDecipheriv } from 'node:crypto';
import { DamagedBackupError, WrongPasswordError } from './errors.js';

export const TAG_LENGTH = 16;
/** A gzip stream starts with these bytes (magic + deflate); a wrong key gives random ones. */
const GZIP_START = [0x1f, 0x8b, 0x08];

/** Throws WrongPasswordError unless the first decrypted bytes start a gzip stream. */
export function checkFirstBytes(key: Buffer, iv: Uint8Array, firstCiphertext: Uint8Array): void {
  const decipher = createDecipheriv('aes-128-gcm', key, iv);
  const plain = decipher.update(firstCiphertext.subarray(0, GZIP_START.length));
  if (plain.length < GZIP_START.length || GZIP_START.some((b, i) => plain[i] !== b)) {
    throw new WrongPasswordError();
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
