// `ferry backup push / pull / list --from` against a real WebDAV server (rclone) on loopback.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runFerry } from '../testing/run-ferry.js';
import { fixturePath, tempDir } from '../../migration/testing/fixtures.js';
import { startWebdav, type TestWebdav } from '../../migration/remote/testing/webdav-server.js';
import { EXIT } from '../failure.js';
import { mediaFilePath } from '../../migration/media/layout.js';
import { seedAccountWithMedia } from '../../migration/media/testing.js';
import { openProfile } from '../../store/profile.js';

const PASSWORD = 'correct horse battery staple';
let dav: TestWebdav;
let t: { dir: string; cleanup(): void };

before(async () => {
  dav = await startWebdav({ user: 'kim', password: 'dav pass 🔑' });
  t = tempDir('remote-cli');
});
after(async () => {
  await dav.stop();
  t.cleanup();
});

test('push to the cloud, list it there, pull it on the new device and import it', async () => {
  const env = {
    HOME: join(t.dir, 'home'),
    FERRY_WEBDAV_USER: dav.user,
    FERRY_WEBDAV_PASSWORD: dav.password,
  };
  const usb = join(t.dir, 'old-backups');
  await mkdir(usb);
  const ceb = join(usb, 'alice@jabber.de.2026-11-28-10-00.ceb');
  await copyFile(fixturePath('v2-alice.ceb'), ceb);
  const folder = `${dav.url}Nextcloud/Conversations%20Backup/`;

  let r = await runFerry(['backup', 'push', ceb, '--to', folder], env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Uploaded and verified alice@jabber\.de\.2026-11-28-10-00\.ceb/);
  assert.ok(
    (
      await readFile(
        join(dav.dir, 'Nextcloud', 'Conversations Backup', 'alice@jabber.de.2026-11-28-10-00.ceb'),
      )
    ).equals(await readFile(ceb)),
  );
  assert.doesNotMatch(r.stdout + r.stderr, /dav pass/);

  r = await runFerry(['backup', 'list', '--from', folder], env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /alice@jabber\.de .* alice@jabber\.de\.2026-11-28-10-00\.ceb/);
  r = await runFerry(['backup', 'list', '--from', folder, '--json'], env);
  const listed = JSON.parse(r.stdout) as { backups: { header: { jid: string; app: string } }[] };
  assert.equal(listed.backups[0]?.header.jid, 'alice@jabber.de');

  const newDevice = join(t.dir, 'new');
  r = await runFerry(['--profile', newDevice, 'backup', 'pull', '--from', folder], env);
  assert.equal(r.code, 0, r.stderr);
  const pulled = join(newDevice, 'Backup', 'alice@jabber.de.2026-11-28-10-00.ceb');
  assert.match(r.stdout, /Next: ferry backup import/);
  assert.ok((await readFile(pulled)).equals(await readFile(ceb)));

  r = await runFerry(['--profile', newDevice, 'backup', 'import', pulled], {
    ...env,
    FERRY_PASSWORD: PASSWORD,
  });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Imported alice@jabber\.de/);
});

test('credentials from a netrc file; wrong ones give a clear error and exit code', async () => {
  const env = { HOME: join(t.dir, 'home2') };
  await mkdir(env.HOME, { recursive: true });
  const local = join(t.dir, 'netrc-backups');
  await mkdir(local);
  const ceb = join(local, 'björn.müller@bücherwurm.example.2026-11-28-11-00.ceb');
  await copyFile(fixturePath('v1-unicode.ceb'), ceb);
  const netrc = join(t.dir, 'netrc');
  await writeFile(netrc, `machine 127.0.0.1\n  login ${dav.user}\n  password "wrong"\n`, {
    mode: 0o600,
  });
  let r = await runFerry(
    ['backup', 'push', ceb, '--to', `${dav.url}netrc/`, '--netrc', netrc],
    env,
  );
  assert.equal(r.code, EXIT.network);
  assert.match(r.stderr, /refused the user name or password \(HTTP 401\)/);
  assert.match(r.stderr, /hint: /);
  assert.deepEqual(await readdir(dav.dir).then((n) => n.filter((x) => x === 'netrc')), []);

  // netrc: a second server whose password has no spaces, written bare.
  const dav2 = await startWebdav({ user: 'lee', password: 'netrc-secret' });
  try {
    await writeFile(netrc, `machine 127.0.0.1\n  login lee\n  password netrc-secret\n`);
    r = await runFerry(['backup', 'push', ceb, '--to', `${dav2.url}b/`, '--netrc', netrc], env);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout + r.stderr, /netrc-secret/);
    assert.deepEqual(await readdir(join(dav2.dir, 'b')), [
      'björn.müller@bücherwurm.example.2026-11-28-11-00.ceb',
    ]);
  } finally {
    await dav2.stop();
  }

  r = await runFerry(
    ['backup', 'push', ceb, '--to', `http://kim:secret@127.0.0.1:${dav.port}/x/`],
    env,
  );
  assert.equal(r.code, EXIT.usage);
  assert.match(r.stderr, /contains a user name or password/);
  assert.doesNotMatch(r.stderr, /secret/);
});

test('the whole move through the cloud with media: create --with-media, push, pull, import', async () => {
  const env = {
    HOME: join(t.dir, 'home3'),
    FERRY_WEBDAV_USER: dav.user,
    FERRY_WEBDAV_PASSWORD: dav.password,
  };
  const oldDevice = join(t.dir, 'cloud-old');
  const old = openProfile(oldDevice);
  const seeded = await seedAccountWithMedia(old.dir, old.db, { password: 'alice pw' });
  old.close();
  let r = await runFerry(['--profile', oldDevice, 'backup', 'create', '--with-media'], env);
  assert.equal(r.code, 0, r.stderr);
  const folder = `${dav.url}move/`;
  // No files named: the newest backup of each account in the profile, with its companion.
  r = await runFerry(['--profile', oldDevice, 'backup', 'push', '--to', folder, '--json'], env);
  assert.equal(r.code, 0, r.stderr);
  const pushed = JSON.parse(r.stdout) as { uploaded: { name: string }[] };
  assert.equal(pushed.uploaded.length, 2);
  assert.match(pushed.uploaded[1]?.name ?? '', /^alice@example\.org\..*\.ceb\.media$/);

  const newDevice = join(t.dir, 'cloud-new');
  r = await runFerry(['--profile', newDevice, 'backup', 'pull', '--from', folder], env);
  assert.equal(r.code, 0, r.stderr);
  const pulled = (await readdir(join(newDevice, 'Backup'))).filter((n) => n.endsWith('.ceb'));
  assert.equal(pulled.length, 1);
  r = await runFerry(
    ['--profile', newDevice, 'backup', 'import', join(newDevice, 'Backup', pulled[0] ?? '')],
    { ...env, FERRY_PASSWORD: 'alice pw' },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /3 restored/);
  for (const [path, bytes] of seeded.files) {
    assert.ok((await readFile(mediaFilePath(newDevice, path))).equals(bytes), path);
  }
});
