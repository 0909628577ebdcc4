// Import of a backup large enough to be parsed on worker threads while the rows are inserted:
// one all-or-nothing transaction; a damaged or malformed file leaves the profile exactly as it was
// (other accounts included), with the same typed errors as a small file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DamagedBackupError, MalformedContentError, liveParseWorkers } from '@ferry/ceb-format';
import { craftBackup } from '@ferry/ceb-format/testing';
import { findAccountByJid } from '../store/accounts.js';
import { createBackups } from './create-backup.js';
import { importBackup } from './import-backup.js';
import { dumpWholeDatabase, tempProfile } from './testing/fixtures.js';
import { addSyntheticAccount } from './testing/synthetic-profile.js';

const JID = 'kim@example.org';
const PASSWORD = 'kim password';
const MESSAGES = 30_000;

async function largeBackup(dir: string): Promise<string> {
  const { profile, cleanup } = tempProfile('old-device');
  try {
    addSyntheticAccount(profile, JID, PASSWORD, MESSAGES);
    const { written } = await createBackups(profile, { outDir: dir, keep: 1 });
    return (written[0] as { file: string }).file;
  } finally {
    cleanup();
  }
}

test('a large backup imports whole beside another account, which stays untouched', async () => {
  const { profile, dir, cleanup } = tempProfile('new-device');
  try {
    const file = await largeBackup(dir);
    addSyntheticAccount(profile, 'other@example.org', 'other', 50);
    const other = dumpWholeDatabase(profile).filter((line) => !line.includes(JID));
    const result = await importBackup(profile, file, PASSWORD);
    assert.equal(result.messages, MESSAGES);
    assert.equal(result.jid, JID);
    const messages = profile.db.prepare('SELECT count(*) FROM messages').pluck().get();
    assert.equal(messages, MESSAGES + 50);
    const after = dumpWholeDatabase(profile);
    for (const line of other) assert.ok(after.includes(line), `changed: ${line.slice(0, 80)}`);
    assert.equal(liveParseWorkers(), 0);
  } finally {
    cleanup();
  }
});

test('a large file damaged near its end fails as damaged and nothing is kept', async () => {
  const { profile, dir, cleanup } = tempProfile('new-device');
  try {
    const file = await largeBackup(dir);
    addSyntheticAccount(profile, 'other@example.org', 'other', 50);
    const bytes = Buffer.from(readFileSync(file));
    const at = Math.floor(bytes.length * 0.9);
    bytes[at] = (bytes[at] ?? 0) ^ 0x08;
    const damaged = join(dir, 'damaged.ceb');
    writeFileSync(damaged, bytes);
    const before = dumpWholeDatabase(profile);
    await assert.rejects(importBackup(profile, damaged, PASSWORD), DamagedBackupError);
    assert.deepEqual(dumpWholeDatabase(profile), before);
    assert.equal(findAccountByJid(profile.db, JID), undefined);
    assert.equal(liveParseWorkers(), 0);
  } finally {
    cleanup();
  }
});

test('a large authentic file with a malformed row deep inside fails with its position and nothing is kept', async () => {
  const { profile, dir, cleanup } = tempProfile('new-device');
  try {
    const account =
      '{"table":"accounts","values":{"uuid":"acc","username":"kim","server":"example.org","password":"kim password","options":"0"}}';
    const conversation =
      '{"table":"conversations","values":{"uuid":"c1","accountUuid":"acc","contactJid":"a@example.org"}}';
    const message = (i: number): string =>
      `{"table":"messages","values":{"uuid":"m${i}","conversationUuid":"c1","body":"${'z'.repeat(150)} ${i}"}}`;
    const rows = [account, conversation];
    for (let i = 0; i < 30_000; i++) rows.push(i === 25_000 ? '{"table":"messages",' : message(i));
    const path = join(dir, 'malformed.ceb');
    writeFileSync(path, await craftBackup(`[${rows.join(',')}]`, { jid: JID, password: PASSWORD }));
    const before = dumpWholeDatabase(profile);
    await assert.rejects(importBackup(profile, path, PASSWORD), (err: unknown) => {
      assert.ok(err instanceof MalformedContentError);
      assert.match(err.message, /^unexpected content at byte \d+ of the backup's JSON body/);
      return true;
    });
    assert.deepEqual(dumpWholeDatabase(profile), before);
    assert.equal(liveParseWorkers(), 0);
  } finally {
    cleanup();
  }
});
