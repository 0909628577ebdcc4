import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openProfile } from './profile.js';
import { sqliteRealText } from '@ferry/ceb-format';
import { insertBackupRows, readBackupRows, toSqlValue } from './backup-rows.js';
import { dumpTable } from './dump.js';
import { ConflictingDataError } from './errors.js';

function withProfile(fn: (p: ReturnType<typeof openProfile>) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-rows-'));
  const profile = openProfile(dir);
  try {
    fn(profile);
  } finally {
    profile.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const ACCOUNT = {
  uuid: 'acc-1',
  username: 'kim',
  server: 'example.org',
  password: 'pw',
  options: 2n,
};
const CONVERSATION = { uuid: 'c-1', accountUuid: 'acc-1', contactJid: 'lee@example.org', mode: 0n };

test('values are stored as Conversations stores them: digits in TEXT, huge literals as REAL text', () => {
  withProfile(({ db }) => {
    insertBackupRows(db, [
      { table: 'accounts', values: { ...ACCOUNT, port: '5222' } },
      { table: 'conversations', values: CONVERSATION },
      ...[
        ['m1', 7n],
        ['m2', 9223372036854775807n],
        ['m3', 12345678901234567890n],
        ['m4', 9223372036854775808n],
        ['m5', '007'],
      ].map(([uuid, body]) => ({
        table: 'messages' as const,
        values: {
          uuid: uuid ?? null,
          conversationUuid: 'c-1',
          body: body ?? null,
          timeSent: '1577836801000',
        },
      })),
    ]);
    const bodies = db
      .prepare('SELECT uuid, body, typeof(timeSent) t FROM messages ORDER BY uuid')
      .all();
    assert.deepEqual(
      bodies.map((r) => Object.values(r as object)),
      [
        ['m1', '7', 'integer'],
        ['m2', '9223372036854775807', 'integer'],
        ['m3', '1.23456789012346e+19', 'integer'],
        ['m4', '9.22337203685478e+18', 'integer'],
        ['m5', '007', 'integer'],
      ],
    );
    assert.equal(db.prepare('SELECT typeof(port) FROM accounts').pluck().get(), 'integer');
  });
});

test('columns the schema lacks are added and survive reading back', () => {
  withProfile(({ db }) => {
    insertBackupRows(db, [
      { table: 'accounts', values: ACCOUNT },
      { table: 'conversations', values: CONVERSATION },
      {
        table: 'messages',
        values: { uuid: 'm1', conversationUuid: 'c-1', futureColumn: 'kept', body: 'hi' },
      },
    ]);
    const rows = [...readBackupRows(db, 'acc-1')];
    const message = rows.find((r) => r.table === 'messages');
    assert.equal(message?.values.futureColumn, 'kept');
    assert.deepEqual(
      rows.map((r) => r.table),
      ['accounts', 'conversations', 'messages'],
    );
  });
});

test('a column name that is not a plain identifier is refused, not created', () => {
  withProfile(({ db }) => {
    assert.throws(
      () =>
        insertBackupRows(db, [
          { table: 'accounts', values: { ...ACCOUNT, 'x"); DROP TABLE messages; --': '1' } },
        ]),
      ConflictingDataError,
    );
    assert.equal(dumpTable(db, 'accounts').length, 0);
    assert.ok(db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'messages'").get());
  });
});

test("readBackupRows gives only the account's own rows, in export order, integers exact", () => {
  withProfile(({ db }) => {
    insertBackupRows(db, [
      { table: 'accounts', values: ACCOUNT },
      { table: 'accounts', values: { ...ACCOUNT, uuid: 'acc-2', username: 'other' } },
      { table: 'conversations', values: CONVERSATION },
      { table: 'conversations', values: { ...CONVERSATION, uuid: 'c-2', accountUuid: 'acc-2' } },
      {
        table: 'messages',
        values: { uuid: 'm1', conversationUuid: 'c-1', timeSent: 9007199254740993n },
      },
      { table: 'messages', values: { uuid: 'm2', conversationUuid: 'c-2' } },
      {
        table: 'identities',
        values: {
          account: 'acc-1',
          name: 'kim@example.org',
          ownkey: 1n,
          certificate: new Uint8Array([1, 2]),
        },
      },
      { table: 'prekeys', values: { account: 'acc-1', id: 1n, key: 'AAAA' } },
      { table: 'prekeys', values: { account: 'acc-2', id: 1n, key: 'BBBB' } },
    ]);
    const rows = [...readBackupRows(db, 'acc-1')];
    assert.deepEqual(
      rows.map((r) => `${r.table}:${String(r.values.uuid ?? r.values.id ?? r.values.name)}`),
      [
        'accounts:acc-1',
        'conversations:c-1',
        'messages:m1',
        'prekeys:1',
        'identities:kim@example.org',
      ],
    );
    assert.equal(rows[2]?.values.timeSent, 9007199254740993n);
    assert.deepEqual(rows[4]?.values.certificate, Buffer.from([1, 2]));
  });
});

test('a message whose conversation is missing is refused (foreign keys are enforced)', () => {
  withProfile(({ db }) => {
    assert.throws(
      () =>
        insertBackupRows(db, [
          { table: 'messages', values: { uuid: 'm1', conversationUuid: 'nope' } },
        ]),
      ConflictingDataError,
    );
  });
});

test('REAL text is printed with 15 significant digits, as Android SQLite does', () => {
  assert.equal(sqliteRealText(Number(12345678901234567890n)), '1.23456789012346e+19');
  assert.equal(sqliteRealText(1e19), '1.0e+19');
  assert.equal(sqliteRealText(Number(-9223372036854775809n)), '-9.22337203685478e+18');
  assert.equal(toSqlValue(99999999999999999999999n, true), '1.0e+23');
  assert.equal(toSqlValue(99999999999999999999999n, false), 1e23);
  assert.equal(toSqlValue(5, false), 5n);
});

test('REAL text matches what SQLite 3.40 (Debian, like Android) stores for huge digit literals', (t) => {
  const version = spawnSync('sqlite3', ['--version'], { encoding: 'utf8' });
  if (
    version.status !== 0 ||
    !/^3\.(\d+)/.test(version.stdout) ||
    Number(/^3\.(\d+)/.exec(version.stdout)?.[1]) >= 43
  ) {
    t.skip('needs the sqlite3 command of SQLite < 3.43 (prints REAL with 15 digits)');
    return;
  }
  const values = fc.sample(fc.bigInt({ min: 2n ** 63n, max: 10n ** 30n }), 300);
  values.push(...fc.sample(fc.bigInt({ min: -(10n ** 30n), max: -(2n ** 63n) - 1n }), 100));
  const sql =
    'CREATE TABLE t (x TEXT);\n' +
    values.map((v) => `INSERT INTO t VALUES (${v});`).join('\n') +
    '\nSELECT x FROM t ORDER BY rowid;\n';
  const out = spawnSync('sqlite3', [':memory:'], { input: sql, encoding: 'utf8' });
  assert.equal(out.status, 0, out.stderr);
  assert.deepEqual(
    values.map((v) => toSqlValue(v, true)),
    out.stdout.trim().split('\n'),
  );
});
