// The media companion as a user meets it: `backup create --with-media`, `backup import` (companion
// beside the .ceb, or --media FILE), `media check` — child processes on real profiles and files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, open, readFile, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { openMediaCompanion } from '../../migration/media/companion-reader.js';
import { mediaFilePath } from '../../migration/media/layout.js';
import { seedAccountWithMedia } from '../../migration/media/testing.js';
import { runFerry } from '../testing/run-ferry.js';
import { tempDir } from '../../migration/testing/fixtures.js';
import { openProfile } from '../../store/profile.js';
import { EXIT } from '../failure.js';

test('files travel with --with-media, come back byte-identical, and a damaged companion loses only its damaged file', async () => {
  const t = tempDir('media-cli');
  try {
    const env = { HOME: join(t.dir, 'home'), XDG_DATA_HOME: join(t.dir, 'xdg') };
    const oldDevice = join(t.dir, 'old');
    const usb = join(t.dir, 'usb');
    const old = openProfile(oldDevice);
    const seeded = await seedAccountWithMedia(old.dir, old.db, { password: 'alice pw' });
    old.close();

    let r = await runFerry(['--profile', oldDevice, 'media', 'check'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /All 3 files that messages point to are on this device/);

    r = await runFerry(
      ['--profile', oldDevice, 'backup', 'create', '--with-media', '--deactivate', '--out', usb],
      env,
    );
    assert.equal(r.code, 0, r.stderr);
    const names = (await readdir(usb)).sort();
    assert.equal(names.length, 2, names.join(', '));
    const [ceb, companion] = names as [string, string];
    assert.match(ceb, /^alice@example\.org\.\d{4}-\d{2}-\d{2}-\d{2}-\d{2}\.ceb$/);
    assert.equal(companion, `${ceb}.media`);
    assert.match(r.stdout, /Wrote .*\.ceb\.media .*3 files/);
    assert.doesNotMatch(r.stdout + r.stderr, /alice pw/);

    // New device: the companion beside the .ceb is found and restored.
    const newDevice = join(t.dir, 'new');
    r = await runFerry(['--profile', newDevice, 'backup', 'import', join(usb, ceb)], {
      ...env,
      FERRY_PASSWORD: 'alice pw',
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /3 restored, 0 already here, 0 kept .*, 0 damaged/);
    assert.doesNotMatch(r.stdout, /not on this device/);
    for (const [path, bytes] of seeded.files) {
      assert.ok(
        (await readFile(mediaFilePath(newDevice, path))).equals(bytes),
        `${path} is back, byte-identical`,
      );
    }
    r = await runFerry(
      ['--profile', newDevice, 'media', 'check', '--account', 'alice@example.org', '--json'],
      env,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { missing: unknown[] }).missing.length, 0);

    // A damaged companion (given with --media from elsewhere): only the damaged file is lost, and named.
    const elsewhere = join(t.dir, 'elsewhere');
    await mkdir(elsewhere);
    await copyFile(join(usb, ceb), join(elsewhere, ceb));
    const damaged = join(t.dir, 'damaged.media');
    await copyFile(join(usb, companion), damaged);
    const opened = await openMediaCompanion(damaged, 'alice pw');
    const victim = opened.index?.find(
      (e) => e.path === 'Conversations Documents/report (final).pdf',
    );
    await opened.close();
    assert.ok(victim);
    const handle = await open(damaged, 'r+');
    await handle.write(Buffer.from([0x42, 0x42, 0x42]), 0, 3, victim.offset + 400_000);
    await handle.close();
    const third = join(t.dir, 'third');
    r = await runFerry(
      ['--profile', third, 'backup', 'import', join(elsewhere, ceb), '--media', damaged],
      {
        ...env,
        FERRY_PASSWORD: 'alice pw',
      },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /2 restored, 0 already here, 0 kept .*, 1 damaged/);
    assert.match(
      r.stdout,
      /lost \(damaged companion\): Conversations Documents\/report \(final\)\.pdf/,
    );
    assert.match(r.stdout, /1 message points to files that are not on this device/);
    assert.match(r.stdout, /they are not in its media companion either/);
    r = await runFerry(['--profile', third, 'media', 'check'], env);
    assert.equal(r.code, EXIT.failure);
    assert.match(r.stdout, /report \(final\)\.pdf/);
    assert.match(r.stderr, /1 of 3 messages point to files missing on this device/);
  } finally {
    t.cleanup();
  }
});

test('files copied by hand into the media folder (the old way) are found after import', async () => {
  const t = tempDir('media-hand');
  try {
    const env = { HOME: join(t.dir, 'home'), XDG_DATA_HOME: join(t.dir, 'xdg') };
    const oldDevice = join(t.dir, 'old');
    const usb = join(t.dir, 'usb');
    const old = openProfile(oldDevice);
    const seeded = await seedAccountWithMedia(old.dir, old.db, { password: 'pw' });
    old.close();
    let r = await runFerry(['--profile', oldDevice, 'backup', 'create', '--out', usb], env);
    assert.equal(r.code, 0, r.stderr);
    const [ceb = ''] = await readdir(usb);
    assert.ok(ceb.endsWith('.ceb'));

    const newDevice = join(t.dir, 'new');
    r = await runFerry(['--profile', newDevice, 'backup', 'import', join(usb, ceb)], {
      ...env,
      FERRY_PASSWORD: 'pw',
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /3 messages point to files that are not on this device/);
    assert.match(r.stdout, /the backup holds no files, and no media companion/);
    assert.ok(r.stdout.includes(join(newDevice, 'Media')), r.stdout);
    r = await runFerry(['--profile', newDevice, 'media', 'check', '--json'], env);
    assert.equal(r.code, EXIT.failure);
    const missing = (JSON.parse(r.stdout) as { missing: { expectedAt: string }[] }).missing;
    assert.equal(missing.length, 3);

    // Copy the phone's Media folder by hand: every file to the place media check named.
    for (const m of missing) {
      const path = [...seeded.files.keys()].find(
        (p) => mediaFilePath(newDevice, p) === m.expectedAt,
      );
      assert.ok(path, m.expectedAt);
      await mkdir(dirname(m.expectedAt), { recursive: true });
      await writeFile(m.expectedAt, seeded.files.get(path) ?? '');
    }
    r = await runFerry(['--profile', newDevice, 'media', 'check'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /All 3 files/);
  } finally {
    t.cleanup();
  }
});
