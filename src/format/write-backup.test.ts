import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBackup, readHeader, writeBackupFile, type BackupRow, type DbRow } from './index.js';
import { decryptBackupFile } from './testing/crafted-backup.js';

const CEB = join(import.meta.dirname, '..', '..', 'test-data', 'ceb');
const PASSWORD = 'correct horse battery staple';

function withTempDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-format-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

/** The fixture's v2 rows are the account's data as the database's cursor gives it (strings). */
function databaseRows(): DbRow[] {
  return readFileSync(join(CEB, 'v2-alice.rows.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as DbRow);
}

async function collect(rows: AsyncIterable<BackupRow>): Promise<BackupRow[]> {
  const out: BackupRow[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

for (const version of [1, 2] as const) {
  test(
    `version ${version}: the body written is byte for byte what Conversations writes`,
    withTempDir(async (dir) => {
      const file = join(dir, 'alice@jabber.de.ceb');
      await writeBackupFile(
        file,
        { jid: 'alice@jabber.de', password: PASSWORD, version },
        databaseRows(),
      );
      const mine = await decryptBackupFile(file, PASSWORD);
      const theirs = await decryptBackupFile(join(CEB, `v${version}-alice.ceb`), PASSWORD);
      assert.equal(mine.header.version, version);
      assert.equal(mine.body, theirs.body);
    }),
  );
}

test(
  'the account row is disabled and loses its roster version; identities lose `trusted`',
  withTempDir(async (dir) => {
    const rows: DbRow[] = [
      {
        table: 'accounts',
        values: { uuid: 'u1', username: 'bob', options: 64, rosterversion: 'ver-17', port: 5222 },
      },
      {
        table: 'identities',
        values: {
          account: 'u1',
          name: 'carol@example.org',
          trusted: 1,
          trust: 'TRUSTED',
          active: 1,
        },
      },
    ];
    for (const version of [1, 2] as const) {
      const file = join(dir, `v${version}.ceb`);
      await writeBackupFile(file, { jid: 'bob@example.org', password: 'pw', version }, rows);
      const got = await collect((await openBackup(file, 'pw')).rows);
      const account = got[0]?.values;
      assert.equal(account?.options, version === 1 ? 66n : 66);
      assert.equal(account?.rosterversion, null);
      assert.equal(account?.port, '5222');
      assert.deepEqual(Object.keys(got[1]?.values ?? {}), ['account', 'name', 'trust', 'active']);
      assert.equal(got[1]?.values.active, version === 1 ? 1n : '1');
    }
  }),
);

test(
  'version 1 puts at most 20 rows in one INSERT statement',
  withTempDir(async (dir) => {
    const rows: DbRow[] = [{ table: 'accounts', values: { uuid: 'u', options: 0 } }];
    for (let i = 0; i < 45; i++) {
      rows.push({ table: 'messages', values: { uuid: `m${i}`, body: `it's ${i}` } });
    }
    const file = join(dir, 'a.ceb');
    await writeBackupFile(file, { jid: 'a@example.org', password: 'pw', version: 1 }, rows);
    const { body } = await decryptBackupFile(file, 'pw');
    const statements = body.split(';\n').filter(Boolean);
    assert.equal(statements.length, 4);
    assert.deepEqual(
      statements.slice(1).map((s) => s.split('),(').length),
      [20, 20, 5],
    );
    assert.match(body, /'it''s 0'/);
  }),
);

test(
  'every file gets a fresh IV and salt; written with mode 0600 and no temporary file left',
  withTempDir(async (dir) => {
    const rows = databaseRows();
    const a = join(dir, 'a.ceb');
    const b = join(dir, 'b.ceb');
    await writeBackupFile(a, { jid: 'alice@jabber.de', password: PASSWORD }, rows);
    await writeBackupFile(b, { jid: 'alice@jabber.de', password: PASSWORD }, rows);
    const ha = (await readHeader(a)).header;
    const hb = (await readHeader(b)).header;
    assert.notDeepEqual(ha.iv, hb.iv);
    assert.notDeepEqual(ha.salt, hb.salt);
    assert.equal(ha.version, 2);
    assert.equal(ha.app, 'Conversations');
    assert.equal(statSync(a).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(dir).sort(), ['a.ceb', 'b.ceb']);
  }),
);

test(
  'a failure while rows are produced leaves no file behind and the old file untouched',
  withTempDir(async (dir) => {
    const file = join(dir, 'a.ceb');
    await writeBackupFile(file, { jid: 'a@example.org', password: 'pw' }, [
      { table: 'accounts', values: { uuid: 'old' } },
    ]);
    const before = readFileSync(file);
    async function* failing(): AsyncGenerator<DbRow> {
      yield { table: 'accounts', values: { uuid: 'new' } };
      throw new Error('database went away');
    }
    await assert.rejects(
      writeBackupFile(file, { jid: 'a@example.org', password: 'pw' }, failing()),
      /went away/,
    );
    assert.deepEqual(readFileSync(file), before);
    assert.deepEqual(readdirSync(dir), ['a.ceb']);
  }),
);

test(
  'values as SQLite returns them: integers, bigints, reals, blobs, null',
  withTempDir(async (dir) => {
    const file = join(dir, 'a.ceb');
    const rows: DbRow[] = [
      {
        table: 'messages',
        values: {
          a: 12,
          b: 9223372036854775807n,
          c: 1.5,
          d: Buffer.from('blob text'),
          e: null,
          f: -3,
          g: '007',
        },
      },
    ];
    await writeBackupFile(file, { jid: 'a@example.org', password: 'pw', version: 1 }, rows);
    const [v1] = await collect((await openBackup(file, 'pw')).rows);
    assert.deepEqual(v1?.values, {
      a: 12n,
      b: 9223372036854775807n,
      c: '1.5',
      d: 'blob text',
      e: null,
      f: '-3',
      g: 7n,
    });
    await writeBackupFile(file, { jid: 'a@example.org', password: 'pw', version: 2 }, rows);
    const [v2] = await collect((await openBackup(file, 'pw')).rows);
    assert.deepEqual(v2?.values, {
      a: '12',
      b: '9223372036854775807',
      c: '1.5',
      d: 'blob text',
      e: null,
      f: '-3',
      g: '007',
    });
  }),
);
