/**
 * The little of libsignal's protobuf records (LocalStorageProtocol.proto) the Dino mapping needs to
 * look into, read and written by hand so the client layer depends on store and format only:
 * the identity key pair (`IdentityKeyPairStructure`: 1 publicKey, 2 privateKey) and, inside a
 * session (`RecordStructure` 1 currentSession → `SessionStructure` 3 remoteIdentityPublic), the
 * contact's identity key. Everything else moves as opaque bytes: Conversations (libsignal-java) and
 * Dino (libsignal-protocol-c) store the same serialisation.
 */

export class RecordFormatError extends Error {
  constructor(what: string) {
    super(`not a libsignal record: ${what}`);
    this.name = 'RecordFormatError';
  }
}

interface Field {
  number: number;
  wireType: number;
  /** For length-delimited fields. */
  bytes?: Uint8Array;
}

function readVarint(buf: Uint8Array, pos: number): [number, number] {
  let value = 0;
  let shift = 0;
  for (let i = 0; i < 10; i++) {
    if (pos >= buf.length) throw new RecordFormatError('truncated varint');
    const b = buf[pos++] as number;
    if (shift < 49) value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0) return [value, pos];
  }
  throw new RecordFormatError('varint too long');
}

/** The top-level fields of a protobuf message. */
function fields(buf: Uint8Array): Field[] {
  const out: Field[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const [key, next] = readVarint(buf, pos);
    pos = next;
    const number = Math.floor(key / 8);
    const wireType = key & 7;
    if (wireType === 0) {
      pos = readVarint(buf, pos)[1];
      out.push({ number, wireType });
    } else if (wireType === 1) {
      pos += 8;
      out.push({ number, wireType });
    } else if (wireType === 5) {
      pos += 4;
      out.push({ number, wireType });
    } else if (wireType === 2) {
      const [len, start] = readVarint(buf, pos);
      if (start + len > buf.length) throw new RecordFormatError('truncated field');
      out.push({ number, wireType, bytes: buf.subarray(start, start + len) });
      pos = start + len;
    } else {
      throw new RecordFormatError(`wire type ${wireType}`);
    }
    if (pos > buf.length) throw new RecordFormatError('truncated field');
  }
  return out;
}

function bytesField(buf: Uint8Array, number: number): Uint8Array | undefined {
  return fields(buf).find((f) => f.number === number && f.wireType === 2)?.bytes;
}

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
}

function lengthDelimited(number: number, bytes: Uint8Array): Buffer {
  return Buffer.concat([varint(number * 8 + 2), varint(bytes.length), bytes]);
}

export interface IdentityKeyPair {
  /** 33 bytes: 0x05 and the Curve25519 public key. */
  publicKey: Buffer;
  /** 32 bytes. */
  privateKey: Buffer;
}

/** Conversations' own identity record (`identities.key` where `ownkey = 1`). */
export function decodeIdentityKeyPair(record: Uint8Array): IdentityKeyPair {
  const pub = bytesField(record, 1);
  const priv = bytesField(record, 2);
  if (!pub || pub.length !== 33 || pub[0] !== 0x05)
    throw new RecordFormatError('identity public key is not 33 bytes starting with 05');
  if (!priv || priv.length !== 32)
    throw new RecordFormatError('identity private key is not 32 bytes');
  return { publicKey: Buffer.from(pub), privateKey: Buffer.from(priv) };
}

export function encodeIdentityKeyPair(pair: IdentityKeyPair): Buffer {
  return Buffer.concat([lengthDelimited(1, pair.publicKey), lengthDelimited(2, pair.privateKey)]);
}

/** The contact's identity key (33 bytes) of a session record's current session, if any. */
export function sessionRemoteIdentity(record: Uint8Array): Buffer | undefined {
  const current = bytesField(record, 1);
  if (!current) return undefined;
  const remote = bytesField(current, 3);
  return remote && remote.length === 33 ? Buffer.from(remote) : undefined;
}

/** Lower-case hex of a 33-byte identity key: Conversations' `identities.fingerprint`. */
export function fingerprintHex(identityKey: Uint8Array): string {
  return Buffer.from(identityKey).toString('hex');
}
