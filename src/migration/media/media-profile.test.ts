import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openProfile } from '../../store/profile.js';
import { createBackups } from '../create-backup.js';
import { importBackup } from '../import-backup.js';
import { companionAfterBackup, companionAfterImport } from './backup-media.js';
import { checkMedia } from './check.js';
import { createMediaCompanion } from './create-media.js';
import { mediaFilePath, mediaFolder } from './layout.js';
import { restoreMedia } from './restore.js';
import { seedAccountWithMedia } from './testing.js';

test('media check names the messages whose files are not on this device', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-media-check-'));
  const profile = openProfile(join(dir, 'profile'));
  try {
    const seeded = await seedAccountWithMedia(profile.dir, profile.db, { missing: ['lost.mp4'] });
    await seedAccountWithMedia(profile.dir, profile.db, {
      jid: 'carol@example.net',
      files: [],
      missing: ['x.jpg'],
    });
    const all = checkMedia(profile.dir, profile.db);
    assert.equal(all.checked, 5);
    assert.deepEqual(all.missing.map((m) => [m.account, m.relativeFilePath]).sort(), [
      ['alice@example.org', 'lost.mp4'],
      ['carol@example.net', 'x.jpg'],
    ]);
    const one = checkMedia(profile.dir, profile.db, { account: 'ALICE@example.org' });
    assert.deepEqual(one.accounts, ['alice@example.org']);
    assert.equal(one.missing[0]?.expectedAt, mediaFilePath(profile.dir, 'lost.mp4'));
    assert.equal(one.missing[0]?.conversation, 'bob@example.org');
    // A file removed by hand is reported; put back by hand, it is found again.
    const img = mediaFilePath(profile.dir, 'IMG_20231201_101010.jpg');
    const bytes = await readFile(img);
    await unlink(img);
    assert.equal(checkMedia(profile.dir, profile.db, { account: seeded.jid }).missing.length, 2);
    await writeFile(img, bytes);
    assert.equal(checkMedia(profile.dir, profile.db, { account: seeded.jid }).missing.length, 1);
  } finally {
    profile.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test("an account's files travel in the companion to an empty profile, byte-identical", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-media-trip-'));
  const oldDevice = openProfile(join(dir, 'old'));
  const newDevice = openProfile(join(dir, 'new'));
  try {
    const seeded = await seedAccountWithMedia(oldDevice.dir, oldDevice.db, {
      missing: ['never-downloaded.jpg'],
    });
    const backup = join(dir, 'alice@example.org.2026-11-28-10-00.ceb');
    const created = await createMediaCompanion(
      oldDevice.dir,
      oldDevice.db,
      { uuid: seeded.accountUuid, jid: seeded.jid },
      backup,
      'secret',
      { iterations: 1000 },
    );
    assert.equal(created.path, `${backup}.media`);
    assert.deepEqual(created.missing, [
      { relativeFilePath: 'never-downloaded.jpg', reason: 'not on this device' },
    ]);
    assert.equal(created.entries.length, 3);

    const result = await restoreMedia(created.path, 'secret', mediaFolder(newDevice.dir));
    assert.deepEqual(result.restored.sort(), [...seeded.files.keys()].sort());
    for (const [path, bytes] of seeded.files) {
      const back = await readFile(mediaFilePath(newDevice.dir, path));
      assert.ok(back.equals(bytes), `${path} is byte-identical`);
    }
  } finally {
    oldDevice.close();
    newDevice.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('the flows with the media steps (as the web app calls them): create, then import restores', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-media-flow-'));
  const oldDevice = openProfile(join(dir, 'old'));
  const newDevice = openProfile(join(dir, 'new'));
  try {
    const seeded = await seedAccountWithMedia(oldDevice.dir, oldDevice.db, { password: 'pw' });
    const created = await createBackups(oldDevice, {
      outDir: join(dir, 'usb'),
      ...companionAfterBackup(),
    });
    const written = created.written[0];
    assert.ok(written);
    assert.equal((written as { media?: { files: number } }).media?.files, 3);
    const imported = await importBackup(newDevice, written.file, 'pw', companionAfterImport());
    const media = (imported as { media?: { restored: string[] } }).media;
    assert.equal(media?.restored.length, 3);
    assert.equal(imported.missingMedia.count, 0);
    for (const [path, bytes] of seeded.files) {
      assert.ok((await readFile(mediaFilePath(newDevice.dir, path))).equals(bytes), path);
    }
  } finally {
    oldDevice.close();
    newDevice.close();
    await rm(dir, { recursive: true, force: true });
  }
});
