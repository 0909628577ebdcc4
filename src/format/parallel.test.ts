// The parallel machinery: the body parser on worker threads (parallel-parse.ts) gives exactly the
// rows and errors of a sequential read, and its threads end with every read; the writer's
// block-parallel gzip is one ordinary gzip member.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { openBackup } from './open-backup.js';
import { createBackupWriter } from './write-backup.js';
import { liveParseWorkers, PARSE_BATCH } from './parallel-parse.js';
import { ParallelGzip } from './parallel-gzip.js';
import { unpackRows } from './row-batch.js';
import { parseBatch } from './parse-worker.js';
import { CebError, DamagedBackupError, MalformedContentError } from './errors.js';
import { craftBackup } from './testing/crafted-backup.js';
import type { BackupRow, DbRow } from './types.js';

const PASSWORD = 'pw';

/** Rows enough for several parser batches, with values that look like the places a body is cut. */
function* manyRows(count: number): Generator<DbRow> {
  yield {
    table: 'accounts',
    values: { uuid: 'acc', username: 'a', server: 'example.org', password: PASSWORD, options: 0 },
  };
  yield { table: 'conversations', values: { uuid: 'c1', accountUuid: 'acc', name: 'Chat' } };
  for (let i = 0; i < count; i++) {
    const body =
      i % 97 === 0
        ? `a cut here? ,{"table":"messages"} and\nINSERT INTO messages(body) VALUES('x');\n #${i}`
        : `message ${i}: ${'ünïcødé 😀 '.repeat(i % 13)} "quoted" \\ back`;
    yield {
      table: 'messages',
      values: { uuid: `m${i}`, conversationUuid: 'c1', timeSent: BigInt(i), body, read: i % 2 },
    };
  }
  yield { table: 'prekeys', values: { account: 'acc', id: 1n, key: 'k' } };
}

async function backupBytes(version: 1 | 2, count: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk);
      cb();
    },
  });
  const writer = await createBackupWriter(sink, {
    jid: 'a@example.org',
    password: PASSWORD,
    version,
  });
  for (const row of manyRows(count)) await writer.write(row);
  await writer.finish();
  return Buffer.concat(chunks);
}

async function sequential(bytes: Buffer): Promise<BackupRow[]> {
  const out: BackupRow[] = [];
  for await (const row of (await openBackup(Readable.from([bytes]), PASSWORD)).rows) out.push(row);
  return out;
}

async function parallel(bytes: Buffer): Promise<BackupRow[]> {
  const out: BackupRow[] = [];
  const opened = await openBackup(Readable.from([bytes]), PASSWORD);
  for await (const batch of opened.batches({ values: true, threads: 2 })) {
    out.push(...unpackRows(batch));
  }
  return out;
}

async function failure(read: () => Promise<unknown>): Promise<CebError> {
  try {
    await read();
  } catch (err) {
    assert.ok(err instanceof CebError, `expected a CebError, got ${String(err)}`);
    return err;
  }
  assert.fail('the read should have failed');
}

for (const version of [1, 2] as const) {
  test(`v${version}: the parser threads give exactly the rows of a sequential read, and end`, async () => {
    const bytes = await backupBytes(version, 40_000);
    const expected = await sequential(bytes);
    assert.ok(expected.length > 40_000);
    const got = await parallel(bytes);
    assert.equal(got.length, expected.length);
    assert.deepEqual(got, expected);
    const opened = await openBackup(Readable.from([bytes]), PASSWORD);
    const counts = [0, 0, 0, 0, 0, 0, 0];
    for await (const batch of opened.batches({ values: false, threads: 2 })) {
      batch.counts.forEach((n, i) => (counts[i] = (counts[i] ?? 0) + n));
      assert.equal(batch.values.length, 0);
    }
    assert.deepEqual(counts, [1, 1, 40_000, 1, 0, 0, 0]);
    assert.equal(liveParseWorkers(), 0);
  });
}

test('malformed content deep in a large body: the same typed error and position as a sequential read', async () => {
  const row = (i: number): string =>
    `{"table":"messages","values":{"uuid":"m${i}","body":"${'x'.repeat(200)}"}}`;
  const rows = Array.from({ length: 20_000 }, (_, i) => row(i));
  for (const bad of [
    '{"table":"messages","values":{"uuid":"m","body":1.5}}',
    '{"table":"messages","values":{"uuid":"m","uuid":"n"}}',
    '{"table":"messages", "values":{}}',
    '{"table":"nope","values":{}}',
  ]) {
    const body = `[${[...rows.slice(0, 15_000), bad, ...rows.slice(15_000)].join(',')}]`;
    assert.ok(body.length > 4 * PARSE_BATCH);
    const bytes = await craftBackup(body, { password: PASSWORD });
    const seq = await failure(() => sequential(bytes));
    const par = await failure(() => parallel(bytes));
    assert.ok(par instanceof MalformedContentError);
    assert.equal(par.message, seq.message);
    assert.equal(liveParseWorkers(), 0);
  }
});

test('v1: a broken statement deep in a large body names the same line', async () => {
  const stmt = (i: number): string =>
    `INSERT INTO messages(uuid,body) VALUES('m${i}','${'y'.repeat(300)}');\n`;
  const lines = Array.from({ length: 10_000 }, (_, i) => stmt(i));
  lines.splice(8_000, 0, 'DELETE FROM messages;\n');
  const bytes = await craftBackup(lines.join(''), { version: 1, password: PASSWORD });
  const seq = await failure(() => sequential(bytes));
  const par = await failure(() => parallel(bytes));
  assert.ok(par instanceof MalformedContentError);
  assert.match(par.message, /line 8001 /);
  assert.equal(par.message, seq.message);
});

test('a damaged large file fails as damaged, and the threads end', async () => {
  const bytes = Buffer.from(await backupBytes(2, 30_000));
  const at = Math.floor(bytes.length * 0.7);
  bytes[at] = (bytes[at] ?? 0) ^ 0x40;
  const err = await failure(() => parallel(bytes));
  assert.ok(err instanceof DamagedBackupError);
  assert.equal(liveParseWorkers(), 0);
});

test('a reader that stops early ends the parser threads', async () => {
  const bytes = await backupBytes(2, 30_000);
  const opened = await openBackup(Readable.from([bytes]), PASSWORD);
  let batches = 0;
  for await (const _ of opened.batches({ values: true, threads: 2 })) {
    if (++batches === 2) break;
  }
  assert.equal(batches, 2);
  assert.equal(liveParseWorkers(), 0);
});

test('the block-parallel gzip is one gzip member that gunzip reads back exactly', async () => {
  const parts: Buffer[] = [];
  const gzip = new ParallelGzip(async (b) => {
    parts.push(Buffer.from(b));
  });
  const text: Buffer[] = [];
  for (let i = 0; i < 5_000; i++) {
    const line = Buffer.from(`line ${i} ${'abc😀'.repeat(i % 50)}\n`, 'utf8');
    text.push(line);
    await gzip.write(line);
  }
  await gzip.end();
  assert.deepEqual(gunzipSync(Buffer.concat(parts)), Buffer.concat(text));
  const empty: Buffer[] = [];
  const none = new ParallelGzip(async (b) => {
    empty.push(b);
  });
  await none.end();
  assert.equal(gunzipSync(Buffer.concat(empty)).length, 0);
});

test('a parser thread reads a whole batch of rows of varied sizes on its own (no fall-back to the sequential reader)', () => {
  // Rows whose sizes vary as a chat's do: some batch's last row starts shortly before a 64 KiB
  // piece boundary, so the thread must finish it from the little text that follows.
  for (const version of [2, 1] as const) {
    const rows: string[] = [];
    let length = 0;
    for (let i = 0; length < PARSE_BATCH; i++) {
      const body = 'w'.repeat(20 + ((i * 7919) % 1500));
      const row =
        version === 2
          ? `,{"table":"messages","values":{"uuid":"m${i}","body":"${body}"}}`
          : `INSERT INTO messages(uuid,body) VALUES('m${i}','${body}');\n`;
      rows.push(row);
      length += row.length;
    }
    const bytes = Buffer.from(version === 2 ? `[${rows.join('').slice(1)},` : rows.join(''));
    const reply = parseBatch({ id: 1, version, bytes, first: true, last: false, values: true });
    assert.ok(reply.ok, `format ${version}`);
    assert.equal(unpackRows(reply.batch).length, rows.length);
  }
});
