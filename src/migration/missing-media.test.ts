// The import counts missing media files while the rows go in; what it reports must be what the
// database it committed says (deleted messages left out, empty paths ignored, files present in the
// profile's Media folder not counted), whatever the values' form in the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { craftBackup } from '@ferry/ceb-format/testing';
import { findAccountByJid } from '../store/accounts.js';
import { importBackup } from './import-backup.js';
import { missingMediaOf } from './media/backup-media.js';
import { findMissingMedia } from './missing-media.js';
import { tempProfile } from './testing/fixtures.js';

const JID = 'media@example.org';
const PASSWORD = 'media password';

function body(messages: Record<string, unknown>[]): string {
  const rows = [
    { table: 'accounts', values: { uuid: 'acc', username: 'media', server: 'example.org' } },
    { table: 'conversations', values: { uuid: 'c1', accountUuid: 'acc', contactJid: 'a@b.c' } },
    { table: 'conversations', values: { uuid: 'c2', accountUuid: 'acc', contactJid: 'd@e.f' } },
    ...messages.map((values, i) => ({
      table: 'messages',
      values: {
        uuid: `m${i}`,
        conversationUuid: i % 2 === 0 ? 'c1' : 'c2',
        timeSent: i,
        ...values,
      },
    })),
  ];
  return JSON.stringify(rows);
}

async function importMessages(messages: Record<string, unknown>[], present: string[] = []) {
  const { profile, dir, cleanup } = tempProfile('missing-media');
  for (const path of present) {
    mkdirSync(join(profile.dir, 'Media', path, '..'), { recursive: true });
    writeFileSync(join(profile.dir, 'Media', path), 'here');
  }
  const file = join(dir, 'media.ceb');
  writeFileSync(file, await craftBackup(body(messages), { jid: JID, password: PASSWORD }));
  const result = await importBackup(profile, file, PASSWORD);
  const account = findAccountByJid(profile.db, JID);
  assert.ok(account);
  const fromDatabase = findMissingMedia(profile.db, account.uuid, profile);
  return { result, fromDatabase, profile, cleanup };
}

test('missing media counted during the import is what the database holds', async () => {
  const messages: Record<string, unknown>[] = [
    { relativeFilePath: 'a.jpg' },
    { relativeFilePath: 'a.jpg' }, // the same file twice: two messages, one example
    { relativeFilePath: 'here.png' }, // present in the profile's Media folder
    { relativeFilePath: 'gone.pdf', deleted: 1 }, // a deleted message: not counted
    { relativeFilePath: 'kept.pdf', deleted: '0' }, // numeric text: SQLite stores 0
    { relativeFilePath: 'text.pdf', deleted: 'x' }, // text: not 0, so deleted
    { relativeFilePath: 'null.pdf', deleted: null },
    { relativeFilePath: '' }, // no file
    { relativeFilePath: null },
    { body: 'no path at all' },
    { relativeFilePath: '/storage/emulated/0/Conversations/Media/Conversations Images/x.jpg' },
    { relativeFilePath: '../outside' }, // cannot be placed in the media folder: shown as stored
  ];
  const { result, fromDatabase, profile, cleanup } = await importMessages(messages, ['here.png']);
  try {
    assert.equal(result.missingMedia.count, 6);
    assert.deepEqual(
      result.missingMedia.examples.map((e) => e.relativeFilePath).sort(),
      fromDatabase.examples.map((e) => e.relativeFilePath).sort(),
    );
    assert.equal(result.missingMedia.count, fromDatabase.count);
    assert.equal(result.missingMedia.examples.length, 5);
    const expectedAt = new Map(
      result.missingMedia.examples.map((e) => [e.relativeFilePath, e.expectedAt]),
    );
    assert.equal(expectedAt.get('a.jpg'), join(profile.dir, 'Media', 'a.jpg'));
    assert.equal(
      expectedAt.get('/storage/emulated/0/Conversations/Media/Conversations Images/x.jpg'),
      join(profile.dir, 'Media', 'Conversations Images', 'x.jpg'),
    );
    assert.deepEqual(missingMediaOf(profile, JID).count, 6);
  } finally {
    cleanup();
  }
});

test('a path that is not text in the file is counted as SQLite stored it', async () => {
  const { result, fromDatabase, cleanup } = await importMessages([
    { relativeFilePath: 'a.jpg' },
    { relativeFilePath: 12345 },
  ]);
  try {
    assert.equal(result.missingMedia.count, 2);
    assert.deepEqual(result.missingMedia, fromDatabase);
    assert.ok(result.missingMedia.examples.some((e) => e.relativeFilePath === '12345'));
  } finally {
    cleanup();
  }
});
