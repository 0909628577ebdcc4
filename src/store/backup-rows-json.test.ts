import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { writeBackupFile } from '@ferry/ceb-format';
import { decryptBackupFile } from '@ferry/ceb-format/testing';
import type Database from './sqlite.js';
import { openProfile } from './profile.js';
import { insertBackupRows, readBackupItems, readBackupRowsRaw } from './backup-rows.js';

// readBackupItems has SQLite write the message rows' format-2 text; the body must be byte for
// byte the one the format library writes from the same rows read as values.

const PASSWORD = 'pw';
const ACCOUNT = { uuid: 'acc-1', username: 'kim', server: 'example.org', password: 'pw' };
const CONVERSATION = { uuid: 'c-1', accountUuid: 'acc-1', contactJid: 'lee@example.org' };

async function withProfile(fn: (db: Database.Database, dir: string) => Promise<void>) {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-rows-json-'));
  const profile = openProfile(dir);
  try {
    await fn(profile.db, dir);
  } finally {
    profile.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The account and its conversation `c-1`, as the property tests' messages need them. */
function addAccountAndConversation(db: Database.Database): void {
  insertBackupRows(db, [
    { table: 'accounts', values: ACCOUNT },
    { table: 'conversations', values: CONVERSATION },
  ]);
}

/** The two bodies, and how many rows came as SQLite's text. */
async function bothBodies(
  db: Database.Database,
  dir: string,
): Promise<{ fromSql: Buffer; fromValues: Buffer; asText: number; asValues: number }> {
  const opts = { jid: 'kim@example.org', password: PASSWORD, version: 2 as const };
  let asText = 0;
  let asValues = 0;
  const items = [...readBackupItems(db, 'acc-1', 2)];
  for (const item of items) {
    if (item.table !== 'messages') continue;
    if ('json' in item) asText += item.rows;
    else asValues++;
  }
  await writeBackupFile(join(dir, 'sql.ceb'), opts, items);
  await writeBackupFile(join(dir, 'values.ceb'), opts, readBackupRowsRaw(db, 'acc-1'));
  // Compared as bytes (the body as a string would hide differences in invalid UTF-8).
  const body = async (name: string): Promise<Buffer> =>
    gunzipSync((await decryptBackupFile(join(dir, name), PASSWORD)).plaintext);
  const fromSql = await body('sql.ceb');
  const fromValues = await body('values.ceb');
  return { fromSql, fromValues, asText, asValues };
}

test('message rows written by SQLite give the same body as rows written from their values', async () => {
  await withProfile(async (db, dir) => {
    insertBackupRows(db, [
      { table: 'accounts', values: ACCOUNT },
      { table: 'conversations', values: CONVERSATION },
      { table: 'conversations', values: { ...CONVERSATION, uuid: 'c-2', contactJid: 'b@x.org' } },
    ]);
    const insert = db.prepare(
      'INSERT INTO messages (uuid, conversationUuid, timeSent, body, status, type, edited) ' +
        'VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const bodies = [
      'plain',
      'quotes " and \\ backslash / slash',
      'controls \u0000 \u0001 \u001f \t \b \n \r \f and DEL \u007f',
      'separators \u2028 and \u2029',
      'non-BMP 😀 𝄞, é, 中文',
      '',
      null,
      "apostrophe ' and ''",
    ];
    for (let i = 0; i < 3000; i++) {
      const body = bodies[i % bodies.length] ?? null;
      insert.run(
        `m${i}`,
        i % 3 === 0 ? 'c-2' : 'c-1',
        1577836800000n + BigInt(i % 700) * 1000n,
        body === null ? null : `${body} #${i}`,
        BigInt(i % 5) - 2n,
        i % 7 === 0 ? null : 1n,
        i % 11 === 0 ? 'x'.repeat(300) : null,
      );
    }
    // Values SQLite holds that the format writes its own way: a REAL, a BLOB, invalid UTF-8, a
    // huge integer, a column the schema didn't have.
    db.exec(`UPDATE messages SET timeSent = 1.5 WHERE uuid = 'm10'`);
    db.exec(`UPDATE messages SET body = x'00ff41' WHERE uuid = 'm20'`);
    db.exec(`UPDATE messages SET body = CAST(x'ff41e282' AS TEXT) WHERE uuid = 'm30'`);
    db.exec(`UPDATE messages SET status = 9223372036854775807 WHERE uuid = 'm40'`);
    db.exec(`UPDATE messages SET status = -9223372036854775808 WHERE uuid = 'm41'`);
    db.exec(`UPDATE messages SET timeSent = NULL WHERE uuid IN ('m50', 'm51')`);
    db.exec(`ALTER TABLE messages ADD COLUMN "futureColumn"`);
    db.exec(`UPDATE messages SET futureColumn = 'kept ' || uuid WHERE rowid % 13 = 0`);

    const { fromSql, fromValues, asText, asValues } = await bothBodies(db, dir);
    assert.deepEqual(fromSql, fromValues);
    assert.ok(fromSql.includes('"futureColumn":"kept m'));
    // Most rows came as SQLite's text (the invalid UTF-8 too: it reads as the same U+FFFD); the
    // REAL, the BLOB and each row with U+2028/U+2029 (every 8th) came as values.
    assert.ok(asText > 2500, `rows as text: ${asText}`);
    assert.equal(asValues, 2 + 3000 / 8);
  });
});

test('property: any texts and integers give the same body through SQLite as from values', async () => {
  const text = fc.oneof(
    fc.string({ unit: 'binary' }),
    fc.string({ unit: fc.constantFrom('"', '\\', '\u0000', '\u001f', '\u2028', 'é', '😀', 'a') }),
  );
  const value = fc.oneof(
    text,
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
    fc.constant(null),
  );
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(value, value), { maxLength: 40 }), async (rows) => {
      await withProfile(async (db, dir) => {
        addAccountAndConversation(db);
        const insert = db.prepare(
          'INSERT INTO messages (uuid, conversationUuid, timeSent, body, counterpart) VALUES (?, ?, ?, ?, ?)',
        );
        rows.forEach(([body, counterpart], i) =>
          insert.run(`m${i}`, 'c-1', BigInt(i), body, counterpart),
        );
        const { fromSql, fromValues } = await bothBodies(db, dir);
        assert.deepEqual(fromSql, fromValues);
      });
    }),
    { numRuns: 60 },
  );
});

test('property: texts holding any bytes (invalid UTF-8 too) give the same body through SQLite', async () => {
  const bytes = fc.uint8Array({ maxLength: 12 }).map((b) => Buffer.from(b));
  await fc.assert(
    fc.asyncProperty(fc.array(bytes, { minLength: 1, maxLength: 30 }), async (texts) => {
      await withProfile(async (db, dir) => {
        addAccountAndConversation(db);
        const insert = db.prepare(
          'INSERT INTO messages (uuid, conversationUuid, timeSent, body) VALUES (?, ?, ?, CAST(? AS TEXT))',
        );
        texts.forEach((text, i) => insert.run(`m${i}`, 'c-1', BigInt(i), text));
        const { fromSql, fromValues } = await bothBodies(db, dir);
        assert.deepEqual(fromSql, fromValues);
      });
    }),
    { numRuns: 60 },
  );
});
