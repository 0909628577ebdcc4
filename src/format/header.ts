import { open } from 'node:fs/promises';
import { DamagedBackupError, NotABackupError, UnsupportedVersionError } from './errors.js';
import { decodeModifiedUtf8, encodeJavaUtf, MAX_UTF_BYTES } from './modified-utf8.js';
import type { BackupHeader } from './types.js';

export const IV_LENGTH = 12;
export const SALT_LENGTH = 16;
/** The body versions this library reads and writes. */
export const SUPPORTED_VERSIONS: readonly number[] = [1, 2];
/** The longest header Java can write: two strings at their limit. */
export const MAX_HEADER_LENGTH = 4 + 2 * (2 + MAX_UTF_BYTES) + 8 + IV_LENGTH + SALT_LENGTH;

type Attempt = { header: BackupHeader; length: number } | { incomplete: true; version?: number };

/** Parses as much of a header as `bytes` holds; says so when more bytes are needed. */
export function tryParseHeader(bytes: Uint8Array): Attempt {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 4) return { incomplete: true };
  const version = buf.readInt32BE(0);
  if (version <= 0 || version >= 0x10000) {
    throw new NotABackupError('not a backup file: it does not start with a backup header');
  }
  let offset = 4;
  const readUtf = (what: string): string | undefined => {
    if (buf.length < offset + 2) return undefined;
    const len = buf.readUInt16BE(offset);
    if (buf.length < offset + 2 + len) return undefined;
    const text = decodeModifiedUtf8(buf.subarray(offset + 2, offset + 2 + len), what);
    offset += 2 + len;
    return text;
  };
  const app = readUtf('app name');
  if (app === undefined) return { incomplete: true, version };
  const jid = readUtf('account address');
  if (jid === undefined) return { incomplete: true, version };
  if (buf.length < offset + 8 + IV_LENGTH + SALT_LENGTH) return { incomplete: true, version };
  const timestamp = buf.readBigInt64BE(offset);
  offset += 8;
  const iv = Uint8Array.from(buf.subarray(offset, offset + IV_LENGTH));
  offset += IV_LENGTH;
  const salt = Uint8Array.from(buf.subarray(offset, offset + SALT_LENGTH));
  offset += SALT_LENGTH;
  checkVersion(version);
  return { header: { version, app, jid, timestamp, iv, salt }, length: offset };
}

function checkVersion(version: number): void {
  if (SUPPORTED_VERSIONS.includes(version)) return;
  // A plausible version number from a newer app; anything else is not a backup at all.
  if (version > 2 && version < 0x10000) throw new UnsupportedVersionError(version);
  throw new NotABackupError(`not a backup file: it does not start with a backup header`);
}

/** The error for bytes that end before the header does. */
export function headerEndsEarly(version: number | undefined): Error {
  if (version !== undefined && SUPPORTED_VERSIONS.includes(version)) {
    return new DamagedBackupError('the file ends inside its header: it is truncated');
  }
  if (version !== undefined && version > 2 && version < 0x10000) {
    return new UnsupportedVersionError(version);
  }
  return new NotABackupError('not a backup file: too short to hold a backup header');
}

/**
 * Parses the header at the start of `bytes` (Java `DataOutputStream` layout: int32 version,
 * writeUTF app, writeUTF jid, int64 timestamp, 12-byte IV, 16-byte salt).
 */
export function parseHeader(bytes: Uint8Array): { header: BackupHeader; length: number } {
  const attempt = tryParseHeader(bytes);
  if ('incomplete' in attempt) throw headerEndsEarly(attempt.version);
  return attempt;
}

/** Reads only the header of the file at `path`: no password needed. */
export async function readHeader(
  path: string,
): Promise<{ header: BackupHeader; headerLength: number; fileSize: number }> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const want = Math.min(size, MAX_HEADER_LENGTH);
    const buf = Buffer.alloc(want);
    let got = 0;
    while (got < want) {
      const { bytesRead } = await fh.read(buf, got, want - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    const { header, length } = parseHeader(buf.subarray(0, got));
    return { header, headerLength: length, fileSize: size };
  } finally {
    await fh.close();
  }
}

/** Encodes a header exactly as Conversations writes it. */
export function encodeHeader(header: BackupHeader): Buffer {
  if (header.iv.length !== IV_LENGTH) throw new RangeError(`the IV must be ${IV_LENGTH} bytes`);
  if (header.salt.length !== SALT_LENGTH)
    throw new RangeError(`the salt must be ${SALT_LENGTH} bytes`);
  const version = Buffer.allocUnsafe(4);
  version.writeInt32BE(header.version, 0);
  const timestamp = Buffer.allocUnsafe(8);
  timestamp.writeBigInt64BE(header.timestamp, 0);
  return Buffer.concat([
    version,
    encodeJavaUtf(header.app, 'the app name'),
    encodeJavaUtf(header.jid, 'the account address'),
    timestamp,
    header.iv,
    header.salt,
  ]);
}

/** Milliseconds a JavaScript Date can hold either side of the epoch. */
const MAX_DATE_MS = 8.64e15;

/**
 * The header's timestamp as an ISO 8601 time, or — for a value no date can hold (any 64-bit value
 * may be in a file) — the number of milliseconds as written, e.g. `4611686018427387904 ms`.
 */
export function headerTime(timestamp: bigint): string {
  if (timestamp >= -BigInt(MAX_DATE_MS) && timestamp <= BigInt(MAX_DATE_MS)) {
    return new Date(Number(timestamp)).toISOString();
  }
  return `${timestamp.toString()} ms`;
}
