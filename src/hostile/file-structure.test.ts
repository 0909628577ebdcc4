// Hostile input that attacks the file's structure: its header, its compressed body, its
// authentication. Every damaged file must end with a typed error, in bounded time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DamagedBackupError, openBackup, parseHeader } from '@ferry/ceb-format';
import { decryptBackupFile, gunzipStrict, READ_CHUNK } from '@ferry/ceb-format/testing';
import { scanBackupFolders } from '../migration/find-backups.js';
import { importBackup } from '../migration/import-backup.js';
import { tempDir, tempProfile } from '../migration/testing/fixtures.js';
import { realBackup, settlesWithin, variedAccountRows, writtenBackup } from './testing/backups.js';

/**
 * What only the GCM tag guards in a gzip header: the FTEXT hint (bit 0 of byte 3) and bytes 4–9
 * (mtime, extra flags, OS).
 */
function uncheckedGzipBit(at: number, bit: number): boolean {
  return (at === 3 && bit === 0) || (at >= 4 && at <= 9);
}

function inChunks(bytes: Buffer, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
  return chunks;
}

async function drain(source: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of source) {
    // discard
  }
}

/** Which bits to flip: every bit of the first 128 bytes, then one bit of every 4th byte up to 4 KB. */
function* flips(): Generator<[number, number]> {
  for (let at = 0; at < 128; at++) for (let bit = 0; bit < 8; bit++) yield [at, bit];
  for (let at = 128; at < 4096; at += 4) yield [at, at % 8];
}

test('bits flipped over the first 4 KB of a real-sized compressed body: a damaged-file error, never a hang', async () => {
  // 12k messages: a compressed body of a little over two read chunks (each flip inflates it all).
  const file = await writtenBackup(variedAccountRows('kim@example.org', 12_000), {
    jid: 'kim@example.org',
    password: 'kim-pw',
  });
  const dir = tempDir('flips');
  try {
    writeFileSync(join(dir.dir, 'kim.ceb'), file);
    const { plaintext } = await decryptBackupFile(join(dir.dir, 'kim.ceb'), 'kim-pw');
    assert.ok(plaintext.length > READ_CHUNK, 'the body spans several read chunks');
    const damaged = Buffer.from(plaintext);
    for (const [at, bit] of flips()) {
      damaged[at] = (plaintext[at] as number) ^ (1 << bit);
      // Chunks as the decryption stage hands them over when reading a file.
      const read = drain(gunzipStrict(Readable.from(inChunks(damaged, READ_CHUNK))));
      const outcome = await settlesWithin(
        read.then(
          () => 'read',
          (err: unknown) => err,
        ),
        20_000,
        `reading the body with bit ${bit} of byte ${at} flipped`,
      );
      if (outcome === 'read') {
        assert.ok(uncheckedGzipBit(at, bit), `byte ${at} bit ${bit} went unnoticed`);
      } else {
        assert.ok(
          outcome instanceof DamagedBackupError,
          `byte ${at} bit ${bit}: ${String(outcome)}`,
        );
      }
      damaged[at] = plaintext[at] as number;
    }
  } finally {
    dir.cleanup();
  }
});

test('bits flipped in the encrypted body of a real-sized file: the whole library ends with a damaged-file error', async () => {
  const backup = await realBackup('kim@example.org', 'kim-pw', 20_000);
  try {
    const file = readFileSync(backup.file);
    const body = parseHeader(file).length;
    // Past the first 3 bytes (those tell a wrong password), over the first 4 KB of the body.
    for (let at = body + 3; at < body + 4096; at += 127) {
      const damaged = Buffer.from(file);
      damaged[at] = (damaged[at] as number) ^ (1 << (at % 8));
      const read = (async () => {
        const { rows } = await openBackup(Readable.from(inChunks(damaged, READ_CHUNK)), 'kim-pw');
        await drain(rows);
      })();
      await assert.rejects(
        settlesWithin(read, 20_000, `reading the file with byte ${at - body} of the body changed`),
        (err: unknown) => err instanceof DamagedBackupError,
      );
    }
  } finally {
    backup.cleanup();
  }
});

test('a header timestamp no date can hold (2^62): import and the backup list show and handle it', async () => {
  const t = tempProfile('far-future');
  try {
    const folder = join(t.dir, 'Backup');
    mkdirSync(folder);
    const file = join(folder, 'kim@example.org.2026-01-01-10-00.ceb');
    const rows = variedAccountRows('kim@example.org', 3);
    writeFileSync(
      file,
      await writtenBackup(rows, { jid: 'kim@example.org', password: 'pw', timestamp: 2n ** 62n }),
    );
    const scan = await scanBackupFolders(t.profile, [folder]);
    assert.deepEqual(
      scan.backups.map((b) => [b.jid, b.createdAt]),
      [['kim@example.org', '4611686018427387904 ms']],
    );
    const result = await importBackup(t.profile, file, 'pw');
    assert.equal(result.createdAt, '4611686018427387904 ms');
    assert.equal(result.messages, 3);
  } finally {
    t.cleanup();
  }
});
