/* eslint-disable no-restricted-imports -- a test helper of the format library, inside it */
// Test helpers: build `.ceb` files around a body of one's choosing, and open a file's body
// without any checks beyond the tag. For tests of the reader's strictness only.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { encodeHeader, parseHeader } from '../header.js';
import { deriveKey } from '../key.js';
import type { BackupHeader } from '../types.js';

export interface CraftOptions {
  version?: number;
  jid?: string;
  password?: string;
  /** The plaintext is `gzip(body)` unless this is given. */
  plaintext?: Buffer;
  /** Bytes appended to the ciphertext before the tag is computed over everything. */
  iv?: Uint8Array;
  salt?: Uint8Array;
}

/** The complete bytes of a backup file whose decrypted body is `body` (gzip'ed). */
export async function craftBackup(body: string | Buffer, opts: CraftOptions = {}): Promise<Buffer> {
  const header: BackupHeader = {
    version: opts.version ?? 2,
    app: 'Conversations',
    jid: opts.jid ?? 'test@example.org',
    timestamp: 1700000000000n,
    iv: opts.iv ?? randomBytes(12),
    salt: opts.salt ?? randomBytes(16),
  };
  const key = await deriveKey(opts.password ?? 'secret', header.salt);
  const plaintext =
    opts.plaintext ?? gzipSync(typeof body === 'string' ? Buffer.from(body, 'utf8') : body);
  const cipher = createCipheriv('aes-128-gcm', key, header.iv);
  return Buffer.concat([
    encodeHeader(header),
    cipher.update(plaintext),
    cipher.final(),
    cipher.getAuthTag(),
  ]);
}

/** Decrypts a backup file (checking the tag) and returns the gzip plaintext and the body text. */
export async function decryptBackupFile(
  path: string,
  password: string,
): Promise<{ header: BackupHeader; plaintext: Buffer; body: string }> {
  const bytes = readFileSync(path);
  const { header, length } = parseHeader(bytes);
  const key = await deriveKey(password, header.salt);
  const decipher = createDecipheriv('aes-128-gcm', key, header.iv);
  decipher.setAuthTag(bytes.subarray(bytes.length - 16));
  const plaintext = Buffer.concat([
    decipher.update(bytes.subarray(length, bytes.length - 16)),
    decipher.final(),
  ]);
  return { header, plaintext, body: gunzipSync(plaintext).toString('utf8') };
}
