import { pbkdf2 } from 'node:crypto';
import { promisify } from 'node:util';

const pbkdf2Async = promisify(pbkdf2);

/** Conversations' key derivation: PBKDF2-HMAC-SHA1 of the password's UTF-8 bytes, 1024 rounds. */
export const KEY_ITERATIONS = 1024;
export const KEY_LENGTH = 16;

/** Derives the AES-128 key of a backup from its password and the header's salt. */
export function deriveKey(password: string, salt: Uint8Array): Promise<Buffer> {
  return pbkdf2Async(Buffer.from(password, 'utf8'), salt, KEY_ITERATIONS, KEY_LENGTH, 'sha1');
}
