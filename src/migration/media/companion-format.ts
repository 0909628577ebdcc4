import { createCipheriv, createDecipheriv, createHmac, pbkdf2, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import {
  CompanionDamagedError,
  CompanionNotRecognisedError,
  CompanionVersionError,
} from './errors.js';

/**
 * The byte layout of a media companion file (`<backup>.ceb.media`), described in
 * docs/media-companion.md. Everything here is pure: no files, no profile.
 */

export const COMPANION_MAGIC = Buffer.from('FERRYMED', 'latin1');
export const FOOTER_MAGIC = Buffer.from('FERRYEND', 'latin1');
export const COMPANION_VERSION = 1;
/** Key derivation 1: PBKDF2-HMAC-SHA256 → 256-bit key for AES-256-GCM. */
export const KDF_PBKDF2_SHA256 = 1;
export const DEFAULT_ITERATIONS = 100_000;
/**
 * The most PBKDF2 iterations a companion may ask for (ten times what ferry writes, well under a
 * second of work): the count comes from the file, which may be hostile.
 */
export const MAX_ITERATIONS = 1_000_000;
/** Plaintext bytes per data frame. */
export const CHUNK_SIZE = 1 << 20;
export const FRAME_HEADER_LENGTH = 36;
export const TAG_LENGTH = 16;
export const FOOTER_LENGTH = 24;
export const MARKER_LENGTH = 8;
const FIXED_HEADER_LENGTH = 42;
const KEY_CHECK_LENGTH = 16;
/** Largest plaintext a frame may hold (the index of a very large profile). */
export const MAX_FRAME_PLAINTEXT = 64 << 20;

export const FrameKind = {
  entryStart: 1,
  data: 2,
  entryEnd: 3,
  index: 4,
} as const;
export type FrameKindValue = (typeof FrameKind)[keyof typeof FrameKind];

/** What the header says in the clear: who and which backup the companion belongs to. */
export interface CompanionMeta {
  jid: string;
  /** File name of the `.ceb` this companion belongs to. */
  backup: string;
  /** Milliseconds since the epoch. */
  created: number;
}

export interface CompanionHeader {
  version: number;
  iterations: number;
  salt: Buffer;
  /** Random per file; starts every frame so a reader can find the next frame after damage. */
  marker: Buffer;
  meta: CompanionMeta;
  keyCheck: Buffer;
  /** Bytes the header takes; the first frame starts here. */
  length: number;
}

export interface FrameHeader {
  kind: number;
  entry: number;
  chunk: number;
  /** Plaintext (= ciphertext) length; the tag follows the ciphertext. */
  length: number;
  nonce: Buffer;
  /** The 36 header bytes, authenticated as additional data. */
  bytes: Buffer;
}

const pbkdf2Async = promisify(pbkdf2);

export function deriveCompanionKey(
  password: string,
  salt: Buffer,
  iterations: number,
): Promise<Buffer> {
  return pbkdf2Async(Buffer.from(password, 'utf8'), salt, iterations, 32, 'sha256');
}

function keyCheckOf(key: Buffer, headerPrefix: Buffer): Buffer {
  return createHmac('sha256', key)
    .update('ferry media companion key check\0')
    .update(headerPrefix)
    .digest()
    .subarray(0, KEY_CHECK_LENGTH);
}

/** A new header with fresh salt and marker; the key check needs the derived key. */
export function newHeaderFields(
  meta: CompanionMeta,
  iterations = DEFAULT_ITERATIONS,
): {
  iterations: number;
  salt: Buffer;
  marker: Buffer;
  meta: CompanionMeta;
} {
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > MAX_ITERATIONS)
    throw new RangeError(`iterations must be a whole number from 1 to ${MAX_ITERATIONS}`);
  return { iterations, salt: randomBytes(16), marker: randomBytes(MARKER_LENGTH), meta };
}

export function encodeCompanionHeader(
  fields: { iterations: number; salt: Buffer; marker: Buffer; meta: CompanionMeta },
  key: Buffer,
): Buffer {
  const metaBytes = Buffer.from(JSON.stringify(fields.meta), 'utf8');
  if (metaBytes.length > 0xffff) throw new RangeError('companion header metadata too long');
  const prefix = Buffer.alloc(FIXED_HEADER_LENGTH + metaBytes.length);
  COMPANION_MAGIC.copy(prefix, 0);
  prefix.writeUInt16BE(COMPANION_VERSION, 8);
  prefix.writeUInt8(KDF_PBKDF2_SHA256, 10);
  prefix.writeUInt8(0, 11);
  prefix.writeUInt32BE(fields.iterations, 12);
  fields.salt.copy(prefix, 16);
  fields.marker.copy(prefix, 32);
  prefix.writeUInt16BE(metaBytes.length, 40);
  metaBytes.copy(prefix, FIXED_HEADER_LENGTH);
  return Buffer.concat([prefix, keyCheckOf(key, prefix)]);
}

/**
 * Parses the header from the first bytes of a file. Throws when the bytes are not a companion, name
 * an unknown version, or end before the header does.
 */
export function parseCompanionHeader(bytes: Buffer, fileName = 'the file'): CompanionHeader {
  if (bytes.length < FIXED_HEADER_LENGTH || !bytes.subarray(0, 8).equals(COMPANION_MAGIC)) {
    throw new CompanionNotRecognisedError(fileName);
  }
  const version = bytes.readUInt16BE(8);
  if (version !== COMPANION_VERSION) throw new CompanionVersionError(version);
  if (bytes.readUInt8(10) !== KDF_PBKDF2_SHA256) {
    throw new CompanionDamagedError(`${fileName}: unknown key derivation ${bytes.readUInt8(10)}`);
  }
  const iterations = bytes.readUInt32BE(12);
  const metaLength = bytes.readUInt16BE(40);
  const length = FIXED_HEADER_LENGTH + metaLength + KEY_CHECK_LENGTH;
  if (bytes.length < length)
    throw new CompanionDamagedError(`${fileName}: the header is cut short`);
  let meta: CompanionMeta;
  try {
    const parsed: unknown = JSON.parse(
      bytes.subarray(FIXED_HEADER_LENGTH, FIXED_HEADER_LENGTH + metaLength).toString('utf8'),
    );
    meta = checkMeta(parsed);
  } catch {
    throw new CompanionDamagedError(`${fileName}: the header is damaged`);
  }
  if (iterations < 1 || iterations > MAX_ITERATIONS) {
    throw new CompanionDamagedError(
      `${fileName}: the header asks for ${iterations} key derivation rounds (ferry writes ${DEFAULT_ITERATIONS}, at most ${MAX_ITERATIONS} are accepted)`,
    );
  }
  return {
    version,
    iterations,
    salt: Buffer.from(bytes.subarray(16, 32)),
    marker: Buffer.from(bytes.subarray(32, 40)),
    meta,
    keyCheck: Buffer.from(bytes.subarray(length - KEY_CHECK_LENGTH, length)),
    length,
  };
}

function checkMeta(value: unknown): CompanionMeta {
  if (typeof value !== 'object' || value === null) throw new TypeError('meta');
  const v = value as Record<string, unknown>;
  if (typeof v.jid !== 'string' || typeof v.backup !== 'string' || typeof v.created !== 'number') {
    throw new TypeError('meta');
  }
  return { jid: v.jid, backup: v.backup, created: v.created };
}

/** True when `key` is the one the header was written with (the header is also authenticated). */
export function keyMatchesHeader(
  key: Buffer,
  headerBytes: Buffer,
  header: CompanionHeader,
): boolean {
  const prefix = headerBytes.subarray(0, header.length - KEY_CHECK_LENGTH);
  return keyCheckOf(key, prefix).equals(header.keyCheck);
}

/** Encrypts one frame: 36-byte header (authenticated), ciphertext, 16-byte tag. */
export function sealFrame(
  key: Buffer,
  marker: Buffer,
  kind: FrameKindValue,
  entry: number,
  chunk: number,
  plaintext: Uint8Array,
): Buffer {
  const header = Buffer.alloc(FRAME_HEADER_LENGTH);
  marker.copy(header, 0);
  header.writeUInt8(kind, 8);
  header.writeUInt32BE(entry, 12);
  header.writeUInt32BE(chunk, 16);
  header.writeUInt32BE(plaintext.length, 20);
  const nonce = randomBytes(12);
  nonce.copy(header, 24);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(header);
  const body = cipher.update(plaintext);
  cipher.final();
  return Buffer.concat([header, body, cipher.getAuthTag()]);
}

/** Reads a frame header; null when the marker is not there (damage or not a frame boundary). */
export function parseFrameHeader(bytes: Buffer, marker: Buffer): FrameHeader | null {
  if (bytes.length < FRAME_HEADER_LENGTH) return null;
  if (!bytes.subarray(0, MARKER_LENGTH).equals(marker)) return null;
  return {
    kind: bytes.readUInt8(8),
    entry: bytes.readUInt32BE(12),
    chunk: bytes.readUInt32BE(16),
    length: bytes.readUInt32BE(20),
    nonce: Buffer.from(bytes.subarray(24, 36)),
    bytes: Buffer.from(bytes.subarray(0, FRAME_HEADER_LENGTH)),
  };
}

/** Decrypts a frame's body (ciphertext + tag); null when it does not authenticate. */
export function openFrame(key: Buffer, header: FrameHeader, body: Buffer): Buffer | null {
  if (body.length !== header.length + TAG_LENGTH) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, header.nonce);
    decipher.setAAD(header.bytes);
    decipher.setAuthTag(body.subarray(header.length));
    const plain = decipher.update(body.subarray(0, header.length));
    decipher.final();
    return plain;
  } catch {
    return null;
  }
}

/** The last 24 bytes: where the index frame starts, the marker, and `FERRYEND`. */
export function encodeFooter(indexOffset: number, marker: Buffer): Buffer {
  const footer = Buffer.alloc(FOOTER_LENGTH);
  footer.writeBigUInt64BE(BigInt(indexOffset), 0);
  marker.copy(footer, 8);
  FOOTER_MAGIC.copy(footer, 16);
  return footer;
}

export function parseFooter(bytes: Buffer, marker: Buffer): number | null {
  if (bytes.length !== FOOTER_LENGTH) return null;
  if (!bytes.subarray(8, 16).equals(marker) || !bytes.subarray(16, 24).equals(FOOTER_MAGIC))
    return null;
  const offset = bytes.readBigUInt64BE(0);
  return offset > BigInt(Number.MAX_SAFE_INTEGER) ? null : Number(offset);
}

/** Plaintext of an entry-start frame. */
export interface EntryStartRecord {
  path: string;
  size: number;
  mtime: number;
}

/** Plaintext of an entry-end frame. */
export interface EntryEndRecord {
  size: number;
  chunks: number;
  sha256: string;
}

/** One line of the index frame. */
export interface IndexRecord {
  entry: number;
  path: string;
  size: number;
  sha256: string;
  /** Byte offset of the entry's start frame. */
  offset: number;
}
