import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { addAccount } from '../store/accounts.js';
import { createBackups } from './create-backup.js';
import { defaultBackupDirs, findBackups, scanBackupFolders } from './find-backups.js';
import { fixturePath, OMEMO_BACKUP, tempDir, tempProfile } from './testing/fixtures.js';

test('the default folders are the profile Backup/ and where Conversations and Quicksy files land', () => {
  assert.deepEqual(defaultBackupDirs('/p', '/home/kim'), [
    '/p/Backup',
    '/home/kim/Download/Conversations/Backup',
    '/home/kim/Downloads/Conversations/Backup',
    '/home/kim/Conversations/Backup',
    '/home/kim/Download/Quicksy/Backup',
    '/home/kim/Downloads/Quicksy/Backup',
    '/home/kim/Quicksy/Backup',
  ]);
});

test('backup list finds files in every place, once each, newest first, marking existing accounts', async () => {
  const { profile, cleanup } = tempProfile('list');
  const home = tempDir('home');
  const usb = tempDir('usb');
  try {
    addAccount(profile.db, { jid: 'kim@example.org', password: 'kim-pw' });
    await createBackups(profile, { now: new Date(2026, 10, 28, 9, 0) });
    const downloads = join(home.dir, 'Download', 'Conversations', 'Backup');
    const quicksy = join(home.dir, 'Quicksy', 'Backup');
    mkdirSync(downloads, { recursive: true });
    mkdirSync(quicksy, { recursive: true });
    copyFileSync(fixturePath('v2-alice.ceb'), join(downloads, 'alice@jabber.de.ceb'));
    copyFileSync(fixturePath('v1-unicode.ceb'), join(quicksy, 'björn.ceb'));
    copyFileSync(OMEMO_BACKUP.v2, join(usb.dir, 'alice@example.org.2026-01-01-00-00.ceb'));
    symlinkSync(join(downloads, 'alice@jabber.de.ceb'), join(usb.dir, 'same-file.ceb'));
    writeFileSync(join(usb.dir, 'shopping-list.ceb'), 'milk, eggs');
    copyFileSync(fixturePath('v99-wrong-version.ceb'), join(usb.dir, 'future.ceb'));
    writeFileSync(join(usb.dir, 'notes.txt'), 'not listed');

    const scan = await scanBackupFolders(profile, [usb.dir], { home: home.dir });
    const found = scan.backups.map((b) => [b.jid, b.format, b.app, b.accountExists]);
    assert.deepEqual(
      found.map((f) => JSON.stringify(f)).sort(),
      [
        ['kim@example.org', 2, 'Conversations', true],
        ['alice@example.org', 2, 'Conversations', false],
        ['alice@jabber.de', 2, 'Conversations', false],
        ['björn.müller@bücherwurm.example', 1, 'Conversations', false],
      ]
        .map((f) => JSON.stringify(f))
        .sort(),
    );
    const times = scan.backups.map((b) => Date.parse(b.createdAt));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => b - a),
      'newest first',
    );
    assert.ok(scan.backups.every((b) => b.size > 0 && !Number.isNaN(Date.parse(b.createdAt))));
    assert.deepEqual(scan.unreadable.map((u) => u.path.slice(usb.dir.length + 1)).sort(), [
      'future.ceb',
      'shopping-list.ceb',
    ]);
    assert.match(
      scan.unreadable.find((u) => u.path.endsWith('future.ceb'))?.problem ?? '',
      /version 99/,
    );
    assert.ok(scan.searched.includes(usb.dir));
    assert.equal((await findBackups(profile, [usb.dir], { home: home.dir })).length, 4);
  } finally {
    cleanup();
    home.cleanup();
    usb.cleanup();
  }
});
