import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeModifiedUtf8, decodeModifiedUtf8 } from './modified-utf8.js';
import { encodeHeader, parseHeader } from './header.js';
import {
  DamagedBackupError,
  NotABackupError,
  UnsupportedVersionError,
  ValueTooLongError,
  type BackupHeader,
} from './index.js';

const header = (over: Partial<BackupHeader> = {}): BackupHeader => ({
  version: 2,
  app: 'Conversations',
  jid: 'alice@example.org',
  timestamp: 1700000000123n,
  iv: new Uint8Array(12).fill(1),
  salt: new Uint8Array(16).fill(2),
  ...over,
});

test('modified UTF-8 writes NUL as C0 80 and non-BMP characters as two 3-byte surrogates', () => {
  assert.deepEqual([...encodeModifiedUtf8('a\u0000b')], [0x61, 0xc0, 0x80, 0x62]);
  assert.deepEqual([...encodeModifiedUtf8('é')], [0xc3, 0xa9]);
  assert.deepEqual([...encodeModifiedUtf8('€')], [0xe2, 0x82, 0xac]);
  // U+1F511 (🔑) = surrogates D83D DD11
  assert.deepEqual([...encodeModifiedUtf8('🔑')], [0xed, 0xa0, 0xbd, 0xed, 0xb4, 0x91]);
  for (const s of ['', 'plain', 'a\u0000b', 'björn🔑', '\u{10ffff}x\uffff']) {
    assert.equal(decodeModifiedUtf8(encodeModifiedUtf8(s), 'test'), s);
  }
});

test('modified UTF-8 refuses bytes Java never writes (a raw NUL, 4-byte forms)', () => {
  assert.throws(() => decodeModifiedUtf8(Uint8Array.of(0x61, 0x00), 'x'), NotABackupError);
  assert.throws(
    () => decodeModifiedUtf8(Uint8Array.of(0xf0, 0x9f, 0x94, 0x91), 'x'),
    NotABackupError,
  );
  assert.throws(() => decodeModifiedUtf8(Uint8Array.of(0xc3), 'x'), NotABackupError);
});

test('a header survives encode → parse, with its exact length', () => {
  const h = header({ app: 'Quicksy\u0000🔑', jid: 'björn.müller@bücherwurm.example' });
  const bytes = encodeHeader(h);
  const { header: back, length } = parseHeader(Buffer.concat([bytes, Buffer.from('rest')]));
  assert.equal(length, bytes.length);
  assert.deepEqual(back, h);
  // big-endian int32 version and int64 timestamp, as DataOutputStream writes them
  assert.deepEqual([...bytes.subarray(0, 4)], [0, 0, 0, 2]);
  assert.equal(bytes.readBigInt64BE(length - 36), 1700000000123n);
});

test('a header string is limited to 65535 bytes of modified UTF-8', () => {
  assert.doesNotThrow(() => encodeHeader(header({ app: 'a'.repeat(65535) })));
  assert.throws(() => encodeHeader(header({ app: 'a'.repeat(65536) })), ValueTooLongError);
  // NUL takes two bytes
  assert.throws(() => encodeHeader(header({ jid: '\u0000'.repeat(32768) })), ValueTooLongError);
  const long = encodeHeader(header({ jid: 'é'.repeat(32767) }));
  assert.equal(parseHeader(long).header.jid.length, 32767);
});

test('versions: 1 and 2 read; a newer one is unsupported; garbage is not a backup', () => {
  assert.equal(parseHeader(encodeHeader(header({ version: 1 }))).header.version, 1);
  assert.throws(
    () => parseHeader(encodeHeader(header({ version: 99 }))),
    (err) => err instanceof UnsupportedVersionError && err.version === 99,
  );
  assert.throws(
    () => parseHeader(Buffer.from('PK\u0003\u0004 a zip file, not a backup')),
    NotABackupError,
  );
  assert.throws(() => parseHeader(encodeHeader(header({ version: 0 }))), NotABackupError);
  assert.throws(() => parseHeader(encodeHeader(header({ version: -1 }))), NotABackupError);
  assert.throws(() => parseHeader(Buffer.alloc(0)), NotABackupError);
});

test('a header cut short is damaged (known version) or not a backup', () => {
  const bytes = encodeHeader(header());
  for (let n = 4; n < bytes.length; n++) {
    assert.throws(() => parseHeader(bytes.subarray(0, n)), DamagedBackupError, `cut at ${n}`);
  }
  for (let n = 0; n < 4; n++)
    assert.throws(() => parseHeader(bytes.subarray(0, n)), NotABackupError);
});
