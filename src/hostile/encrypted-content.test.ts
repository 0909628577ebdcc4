// Hostile input that attacks through the encrypted content: files with the right password and a
// valid tag whose body is not what Conversations writes. Refused with the row named; nothing kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { deflateSync } from 'node:zlib';
import {
  DamagedBackupError,
  MalformedContentError,
  openBackup,
  WrongPasswordError,
} from '@ferry/ceb-format';
import { craftBackup } from '@ferry/ceb-format/testing';
import { importBackup } from '../migration/import-backup.js';
import { dumpWholeDatabase, tempProfile } from '../migration/testing/fixtures.js';

const ACCOUNT_JSON =
  '{"table":"accounts","values":{"uuid":"u1","username":"test","server":"example.org","options":2}}';
const CONVERSATION_JSON =
  '{"table":"conversations","values":{"uuid":"c1","accountUuid":"u1","contactJid":"lee@example.org"}}';
const ACCOUNT_SQL =
  "INSERT INTO accounts(uuid,username,server,options) VALUES('u1','test','example.org',2);\n";

/** Imports a crafted file into a fresh profile: it must be refused with `expected`, nothing kept. */
async function refusedOnImport(
  body: string,
  version: 1 | 2,
  expected: RegExp,
  kind: new (...args: never[]) => Error = MalformedContentError,
): Promise<void> {
  const t = tempProfile('crafted');
  try {
    const file = join(t.dir, 'crafted.ceb');
    writeFileSync(file, await craftBackup(body, { version }));
    const before = dumpWholeDatabase(t.profile);
    await assert.rejects(importBackup(t.profile, file, 'secret'), (err: unknown) => {
      assert.ok(err instanceof kind, String(err));
      assert.match((err as Error).message, expected);
      return true;
    });
    assert.deepEqual(dumpWholeDatabase(t.profile), before, 'nothing changed');
  } finally {
    t.cleanup();
  }
}

test('a JSON "\\ud800" escape (half a surrogate pair) is refused, not stored as invalid UTF-8', async () => {
  const message =
    '{"table":"messages","values":{"uuid":"m1","conversationUuid":"c1","body":"a\\ud800b"}}';
  await refusedOnImport(
    `[${ACCOUNT_JSON},${CONVERSATION_JSON},${message}]`,
    2,
    /row 3 \(table messages\).*surrogate/,
  );
  // A proper pair of escapes is a character like any other.
  const t = tempProfile('pair');
  try {
    const pair =
      '{"table":"messages","values":{"uuid":"m1","conversationUuid":"c1","body":"\\ud83d\\ude00"}}';
    const file = join(t.dir, 'pair.ceb');
    writeFileSync(file, await craftBackup(`[${ACCOUNT_JSON},${CONVERSATION_JSON},${pair}]`));
    await importBackup(t.profile, file, 'secret');
    assert.equal(
      t.profile.db.prepare("SELECT body FROM messages WHERE uuid = 'm1'").pluck().get(),
      '😀',
    );
  } finally {
    t.cleanup();
  }
});

test('a row with both body and BODY is refused (SQLite column names ignore case), in both formats', async () => {
  const json =
    '{"table":"messages","values":{"uuid":"m1","conversationUuid":"c1","body":"one","BODY":"two"}}';
  await refusedOnImport(`[${ACCOUNT_JSON},${CONVERSATION_JSON},${json}]`, 2, /differ only in case/);
  await refusedOnImport(
    `${ACCOUNT_SQL}INSERT INTO conversations(uuid,accountUuid) VALUES('c1','u1');\n` +
      "INSERT INTO messages(uuid,conversationUuid,body,BODY) VALUES('m1','c1','one','two');\n",
    1,
    /row 3 \(table messages\).*differ only in case/,
  );
});

test('a raw NUL inside a format-1 string is refused (Conversations removes NULs when it writes)', async () => {
  await refusedOnImport(
    `${ACCOUNT_SQL}INSERT INTO conversations(uuid,accountUuid,name) VALUES('c1','u1','a\u0000b');\n`,
    1,
    /row 2 \(table conversations\).*NUL/,
  );
});

test('a zlib (not gzip) body with a valid tag is called damaged, not a wrong password', async () => {
  const zlib = deflateSync(Buffer.from(`[${ACCOUNT_JSON}]`));
  const bytes = await craftBackup('', { plaintext: zlib });
  const t = tempProfile('zlib');
  try {
    const file = join(t.dir, 'zlib.ceb');
    writeFileSync(file, bytes);
    for (const source of [() => file, () => Readable.from([bytes])]) {
      await assert.rejects(openBackup(source(), 'secret'), (err: unknown) => {
        assert.ok(err instanceof DamagedBackupError, String(err));
        assert.match((err as Error).message, /zlib/);
        return true;
      });
      await assert.rejects(openBackup(source(), 'not the password'), WrongPasswordError);
    }
  } finally {
    t.cleanup();
  }
});
