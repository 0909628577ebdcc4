import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DamagedBackupError,
  openBackup,
  readHeader,
  rowToJsonLine,
  UnsupportedVersionError,
  WrongPasswordError,
  type BackupRow,
} from './index.js';

const CEB = join(import.meta.dirname, '..', '..', 'test-data', 'ceb');

interface Fixture {
  file: string;
  format: number;
  jid: string;
  password: string;
  outcome: 'ok' | 'corrupt' | 'unsupported-version';
  messages: number;
  rows?: string;
}
const fixtures = JSON.parse(readFileSync(join(CEB, 'fixtures.json'), 'utf8')) as Fixture[];

async function collect(rows: AsyncIterable<BackupRow>): Promise<BackupRow[]> {
  const out: BackupRow[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

for (const fx of fixtures.filter((f) => f.outcome === 'ok')) {
  test(`${fx.file}: every row comes out exactly as ${fx.rows} lists it`, async () => {
    const { header, rows } = await openBackup(join(CEB, fx.file), fx.password);
    assert.equal(header.version, fx.format);
    assert.equal(header.jid, fx.jid);
    assert.equal(header.app, 'Conversations');
    const got = (await collect(rows)).map(rowToJsonLine);
    const want = readFileSync(join(CEB, fx.rows as string), 'utf8').split('\n');
    if (want.at(-1) === '') want.pop();
    assert.equal(got.length, want.length);
    for (let i = 0; i < want.length; i++) assert.equal(got[i], want[i], `line ${i + 1}`);
    assert.equal(got.filter((l) => l.startsWith('{"table":"messages"')).length, fx.messages);
  });

  test(`${fx.file}: reads the same from a stream as from a path`, async () => {
    const fromPath = await collect((await openBackup(join(CEB, fx.file), fx.password)).rows);
    const stream = createReadStream(join(CEB, fx.file), { highWaterMark: 1000 });
    const fromStream = await collect((await openBackup(stream, fx.password)).rows);
    assert.deepEqual(fromStream, fromPath);
  });

  test(`${fx.file}: a wrong password is refused before any row is read`, async () => {
    await assert.rejects(openBackup(join(CEB, fx.file), `${fx.password}x`), WrongPasswordError);
    const stream = createReadStream(join(CEB, fx.file));
    await assert.rejects(openBackup(stream, 'Correct Horse'), WrongPasswordError);
    stream.destroy();
  });
}

for (const fx of fixtures.filter((f) => f.outcome === 'corrupt')) {
  test(`${fx.file}: fails as damaged, after yielding only provisional rows`, async () => {
    const { rows } = await openBackup(join(CEB, fx.file), fx.password);
    await assert.rejects(collect(rows), DamagedBackupError);
  });
}

test('v99-wrong-version.ceb: refused as an unsupported version, naming 99', async () => {
  const file = join(CEB, 'v99-wrong-version.ceb');
  await assert.rejects(openBackup(file, 'correct horse battery staple'), (err) => {
    assert.ok(err instanceof UnsupportedVersionError);
    assert.equal(err.version, 99);
    assert.match(err.message, /99/);
    return true;
  });
  await assert.rejects(readHeader(file), UnsupportedVersionError);
});

test('readHeader gives the header of a fixture without a password', async () => {
  const { header, headerLength, fileSize } = await readHeader(join(CEB, 'v1-unicode.ceb'));
  assert.equal(header.jid, 'björn.müller@bücherwurm.example');
  assert.equal(header.version, 1);
  assert.equal(typeof header.timestamp, 'bigint');
  assert.equal(header.iv.length, 12);
  assert.equal(header.salt.length, 16);
  assert.equal(fileSize, readFileSync(join(CEB, 'v1-unicode.ceb')).length);
  assert.equal(headerLength, 4 + 2 + 13 + 2 + Buffer.byteLength(header.jid) + 8 + 12 + 16);
});

test('stopping early releases the file and does not throw', async () => {
  const { rows } = await openBackup(join(CEB, 'v2-alice.ceb'), 'correct horse battery staple');
  for await (const row of rows) {
    assert.equal(row.table, 'accounts');
    break;
  }
  // iterating again starts from the beginning
  assert.equal((await collect(rows)).length, 187);
});
