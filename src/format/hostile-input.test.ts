import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { deflateRawSync, constants as zc, gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import {
  CebError,
  DamagedBackupError,
  MalformedContentError,
  MAX_ROW_TEXT,
  NotABackupError,
  openBackup,
  parseHeader,
  WrongPasswordError,
  type BackupRow,
  type DbRow,
} from './index.js';
import { createBackupWriter } from './write-backup.js';
import { craftBackup } from './testing/crafted-backup.js';

const CEB = join(import.meta.dirname, '..', '..', 'test-data', 'ceb');

async function readAll(bytes: Buffer, password: string): Promise<BackupRow[]> {
  const { rows } = await openBackup(Readable.from([bytes]), password);
  const out: BackupRow[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

async function smallBackup(version: 1 | 2): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const sink = new (await import('node:stream')).Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk);
      cb();
    },
  });
  const w = await createBackupWriter(sink, { jid: 'a@example.org', password: 'pw', version });
  const rows: DbRow[] = [
    { table: 'accounts', values: { uuid: 'u', username: 'a', options: 0 } },
    { table: 'messages', values: { uuid: 'm1', body: "it's\nfine", timeSent: 1 } },
    { table: 'messages', values: { uuid: 'm2', body: '12345', timeSent: 2 } },
  ];
  for (const r of rows) await w.write(r);
  await w.finish();
  return Buffer.concat(chunks);
}

for (const version of [1, 2] as const) {
  test(`v${version}: truncation at every offset fails with a typed error and yields no complete read`, async () => {
    const file = await smallBackup(version);
    assert.equal((await readAll(file, 'pw')).length, 3);
    for (let n = 0; n < file.length; n++) {
      await assert.rejects(readAll(file.subarray(0, n), 'pw'), (err) => {
        if (n < 4) assert.ok(err instanceof NotABackupError, `cut at ${n}: ${String(err)}`);
        else assert.ok(err instanceof DamagedBackupError, `cut at ${n}: ${String(err)}`);
        return true;
      });
    }
  });

  test(`v${version}: a flipped bit is refused with a typed error (the header's texts are not authenticated)`, async () => {
    const file = await smallBackup(version);
    const headerLength = parseHeader(file).length;
    const good = await readAll(file, 'pw');
    for (let i = 0; i < file.length; i++) {
      for (const bit of [0x01, 0x80]) {
        const bad = Buffer.from(file);
        bad[i] = (bad[i] as number) ^ bit;
        const result = await readAll(bad, 'pw').then(
          (rows) => rows,
          (err: unknown) => err,
        );
        if (Array.isArray(result)) {
          // Only the app name, the address and the timestamp may change unnoticed, as in Conversations.
          assert.ok(i >= 4 && i < headerLength - 28, `byte ${i} changed without an error`);
          assert.deepEqual(result, good);
        } else {
          assert.ok(result instanceof CebError, `byte ${i}: ${String(result)}`);
          if (i >= headerLength + 3)
            assert.ok(result instanceof DamagedBackupError, `byte ${i}: ${String(result)}`);
        }
      }
    }
  });
}

test('a swapped IV (from another backup) is refused', async () => {
  const a = await smallBackup(2);
  const b = await smallBackup(2);
  const len = parseHeader(a).length;
  const swapped = Buffer.from(a);
  b.copy(swapped, len - 28, len - 28, len - 16);
  await assert.rejects(
    readAll(swapped, 'pw'),
    (err) => err instanceof WrongPasswordError || err instanceof DamagedBackupError,
  );
});

test('wrong passwords, including a differently normalised Unicode one, are refused early', async () => {
  const file = readFileSync(join(CEB, 'v2-unicode.ceb'));
  const right = 'Grüße aus Köln – пароль 🔑';
  for (const wrong of ['', ' ', right.normalize('NFD'), right.slice(0, -2), right.toUpperCase()]) {
    await assert.rejects(readAll(file, wrong), WrongPasswordError);
  }
  assert.equal((await readAll(file, right)).length, 151);
});

async function expectMalformed(body: string, version: 1 | 2, where: RegExp): Promise<void> {
  const file = await craftBackup(body, { version, password: 'pw' });
  await assert.rejects(readAll(file, 'pw'), (err) => {
    assert.ok(
      err instanceof MalformedContentError,
      `${JSON.stringify(body.slice(0, 60))}: ${String(err)}`,
    );
    assert.match(err.where, where, body.slice(0, 60));
    return true;
  });
}

const INSERT = "INSERT INTO accounts(uuid,username) VALUES('u','a');\n";

test('v1: anything but INSERT statements is refused, naming the line', async () => {
  await expectMalformed('DROP TABLE accounts;\n', 1, /^line 1 /);
  await expectMalformed(`${INSERT}DELETE FROM messages;\n`, 1, /^line 2 /);
  await expectMalformed(`${INSERT}-- a comment\n`, 1, /^line 2 /);
  await expectMalformed(
    `${INSERT}INSERT INTO messages(uuid) VALUES('a\nb\nc'),(1+1);\n`,
    1,
    /^line 4 /,
  );
  await expectMalformed(`${INSERT}INSERT INTO sqlite_master(uuid) VALUES('x');\n`, 1, /^line 2 /);
  await expectMalformed(`${INSERT}INSERT INTO messages(uuid;DROP) VALUES('x');\n`, 1, /^line 2 /);
  await expectMalformed(
    `${INSERT}INSERT INTO messages(uuid,uuid) VALUES('x','y');\n`,
    1,
    /^line 2 /,
  );
  await expectMalformed(
    `${INSERT}INSERT INTO messages(uuid) SELECT uuid FROM accounts;\n`,
    1,
    /^line 2 /,
  );
  await expectMalformed(`${INSERT}insert into messages(uuid) VALUES('x');\n`, 1, /^line 2 /);
  await expectMalformed(`${INSERT}INSERT INTO messages(uuid,body) VALUES('x');\n`, 1, /^line 2 /);
  await expectMalformed(`${INSERT}INSERT INTO messages(uuid) VALUES('x','y');\n`, 1, /^line 2 /);
  await expectMalformed(`${INSERT}INSERT INTO messages(uuid) VALUES(X'00');\n`, 1, /^line 2 /);
  await expectMalformed(`${INSERT}INSERT INTO messages(uuid) VALUES(-1);\n`, 1, /^line 2 /);
  await expectMalformed(`${INSERT}INSERT INTO messages(uuid) VALUES('x'); INSERT`, 1, /^line 2 /);
  await expectMalformed(
    `${INSERT}INSERT INTO messages(uuid) VALUES('never closed);\n`,
    1,
    /^line \d+ /,
  );
  await expectMalformed(`${INSERT}\n`, 1, /^line 2 /);
  await expectMalformed(`${INSERT}INSERT INTO messages(__proto__) VALUES('x');\n`, 1, /^line 2 /);
});

test('v1: values spanning lines, CR, quotes and exact big numbers are read as written', async () => {
  const body =
    "INSERT INTO messages(uuid,body,n,e) VALUES('a','it''s\r\nmulti\rline\n;),(',12345678901234567890,NULL)," +
    "('b','',007,'NULL');\n";
  const rows = await readAll(await craftBackup(body, { version: 1, password: 'pw' }), 'pw');
  assert.deepEqual(rows, [
    {
      table: 'messages',
      values: { uuid: 'a', body: "it's\r\nmulti\rline\n;),(", n: 12345678901234567890n, e: null },
    },
    { table: 'messages', values: { uuid: 'b', body: '', n: 7n, e: 'NULL' } },
  ]);
  // the final newline may be missing
  assert.equal(
    (await readAll(await craftBackup(INSERT.trimEnd(), { version: 1, password: 'pw' }), 'pw'))
      .length,
    1,
  );
});

const ROW = '{"table":"accounts","values":{"uuid":"u","options":2}}';

test('v2: anything but the gson array of rows is refused, naming the byte offset', async () => {
  await expectMalformed('{}', 2, /^byte 0 /);
  await expectMalformed(`[ ${ROW}]`, 2, /^byte 1 /);
  await expectMalformed(`[${ROW}] `, 2, new RegExp(`^byte ${ROW.length + 2} `));
  await expectMalformed(`[${ROW},[]]`, 2, new RegExp(`^byte ${ROW.length + 2} `));
  await expectMalformed(`[${ROW}`, 2, new RegExp(`^byte ${ROW.length + 1} `));
  await expectMalformed('[{"table":"sqlite_master","values":{}}]', 2, /^byte 10 /);
  await expectMalformed('[{"values":{},"table":"accounts"}]', 2, /^byte 3 /);
  await expectMalformed('[{"table":"accounts","values":{"a b":"x"}}]', 2, /^byte 31 /);
  await expectMalformed('[{"table":"accounts","values":{"a":"x","a":"y"}}]', 2, /^byte 39 /);
  await expectMalformed('[{"table":"accounts","values":{"a":true}}]', 2, /^byte 35 /);
  await expectMalformed('[{"table":"accounts","values":{"a":1.5}}]', 2, /^byte 36 /);
  await expectMalformed('[{"table":"accounts","values":{"a":{"b":1}}}]', 2, /^byte 35 /);
  await expectMalformed('[{"table":"accounts","values":{"a":"\u0001"}}]', 2, /^byte 36 /);
  await expectMalformed('[{"table":"accounts","values":{"a":"\\x"}}]', 2, /^byte 36 /);
  await expectMalformed('[{"table":"messages","values":{"body":"ü\\q"}}]', 2, /^byte 41 /);
  await expectMalformed('[{"table":"accounts","values":{"__proto__":"x"}}]', 2, /^byte 31 /);
});

test('v2: escapes, null and integers of any size are read exactly', async () => {
  const body =
    '[{"table":"messages","values":{"a":"q\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\udd11\\u0000","b":null,"c":-12,"d":123456789012345678901}}]';
  const rows = await readAll(await craftBackup(body, { version: 2, password: 'pw' }), 'pw');
  assert.deepEqual(rows, [
    {
      table: 'messages',
      values: { a: 'q"\\/\b\f\n\r\té🔑\u0000', b: null, c: -12, d: 123456789012345678901n },
    },
  ]);
  assert.deepEqual(await readAll(await craftBackup('[]', { password: 'pw' }), 'pw'), []);
});

test('text that is not UTF-8 is refused', async () => {
  const body = Buffer.concat([
    Buffer.from('[{"table":"accounts","values":{"a":"'),
    Buffer.from([0xff, 0xfe]),
    Buffer.from('"}}]'),
  ]);
  await assert.rejects(
    readAll(await craftBackup(body, { password: 'pw' }), 'pw'),
    MalformedContentError,
  );
});

test('data after the gzip stream, a second gzip member, or a bad checksum are damage', async () => {
  const body = Buffer.from(`[${ROW}]`);
  const gz = gzipSync(body);
  const cases: Buffer[] = [
    Buffer.concat([gz, Buffer.from('x')]),
    Buffer.concat([gz, Buffer.alloc(4)]),
    Buffer.concat([gz, gzipSync(Buffer.alloc(0))]),
    Buffer.concat([gz.subarray(0, gz.length - 8), Buffer.alloc(8)]),
    gz.subarray(0, gz.length - 1),
    Buffer.concat([
      gz.subarray(0, 10),
      Buffer.from('not deflate data at all'),
      gz.subarray(gz.length - 8),
    ]),
  ];
  for (const plaintext of cases) {
    await assert.rejects(
      readAll(await craftBackup('', { password: 'pw', plaintext }), 'pw'),
      DamagedBackupError,
    );
  }
  // the same framing with nothing extra is fine
  assert.equal(
    (await readAll(await craftBackup('', { password: 'pw', plaintext: gz }), 'pw')).length,
    1,
  );
});

/** gzip of `prefix` + `count` MiB of `fill` + `suffix`, built without compressing it all. */
function bomb(prefix: string, fill: string, count: number, suffix: string): Buffer {
  const opts = { finishFlush: zc.Z_FULL_FLUSH };
  const parts = [
    Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff]),
    deflateRawSync(Buffer.from(prefix), opts),
  ];
  const mib = deflateRawSync(Buffer.alloc(1024 * 1024, fill), opts);
  for (let i = 0; i < count; i++) parts.push(mib);
  parts.push(deflateRawSync(Buffer.from(suffix)), Buffer.alloc(8));
  return Buffer.concat(parts);
}

test('a gzip bomb (1 GiB inside one string) stops at the row limit with bounded memory', async () => {
  const before = process.memoryUsage().rss;
  const plaintext = bomb('[{"table":"messages","values":{"body":"', 'a', 1024, '"}}]');
  assert.ok(plaintext.length < 2 * 1024 * 1024);
  await assert.rejects(
    readAll(await craftBackup('', { password: 'pw', plaintext }), 'pw'),
    (err) => {
      assert.ok(err instanceof MalformedContentError);
      assert.match(err.message, /larger than 64 MiB/);
      return true;
    },
  );
  const grown = process.memoryUsage().rss - before;
  assert.ok(grown < 8 * MAX_ROW_TEXT, `memory grew by ${Math.round(grown / 1048576)} MiB`);
});

test('a gzip bomb of 1 GiB of zeros or whitespace is refused at once', async () => {
  for (const [fill, version] of [
    ['\u0000', 2],
    [' ', 2],
    ['\n', 1],
    [' ', 1],
  ] as const) {
    const plaintext = bomb(version === 2 ? '[' : INSERT, fill, 1024, ']');
    await assert.rejects(
      readAll(await craftBackup('', { version, password: 'pw', plaintext }), 'pw'),
      MalformedContentError,
    );
  }
});

test('a stream delivering one byte at a time reads the same', async () => {
  const file = await smallBackup(1);
  const bytes = [...file].map((b) => Buffer.from([b]));
  const { header, rows } = await openBackup(Readable.from(bytes), 'pw');
  assert.equal(header.jid, 'a@example.org');
  const out: BackupRow[] = [];
  for await (const row of rows) out.push(row);
  assert.deepEqual(out, await readAll(file, 'pw'));
  assert.equal(out[2]?.values.body, 12345n);
});
