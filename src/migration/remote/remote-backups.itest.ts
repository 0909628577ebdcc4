import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeHeader, openBackup } from '@ferry/ceb-format';
import { RemoteStorageError } from './errors.js';
import { openRemoteFolder, parseFolderUrl, type RemoteFolder } from './folder.js';
import { listRemoteBackups, pullBackups, pushBackups } from './remote-backups.js';
import {
  startCuttingProxy,
  startWebdav,
  type CuttingProxy,
  type TestWebdav,
} from './testing/webdav-server.js';

const FIXTURE = 'test-data/ceb/v2-alice.ceb';
const FIXTURE_PASSWORD = 'correct horse battery staple';

let dav: TestWebdav;
let proxy: CuttingProxy;
let work: string;

before(async () => {
  dav = await startWebdav();
  proxy = await startCuttingProxy(dav.port);
  work = await mkdtemp(join(tmpdir(), 'ferry-remote-'));
});

after(async () => {
  await proxy.stop();
  await dav.stop();
  await rm(work, { recursive: true, force: true });
});

function folderAt(base: string, path: string, password = dav.password): RemoteFolder {
  return openRemoteFolder(parseFolderUrl(base + path), {
    username: dav.user,
    password,
    source: 'environment',
  });
}

/** A backup file with a real header and a random body (enough for listing and retention). */
async function fakeBackup(
  dir: string,
  jid: string,
  minute: number,
  bodyBytes = 2000,
): Promise<string> {
  const when = new Date(Date.UTC(2026, 10, 28, 10, minute));
  const name = `${jid}.2026-11-28-10-${String(minute).padStart(2, '0')}.ceb`;
  const header = encodeHeader({
    version: 2,
    app: 'Conversations',
    jid,
    timestamp: BigInt(when.getTime()),
    iv: randomBytes(12),
    salt: randomBytes(16),
  });
  const path = join(dir, name);
  await writeFile(path, Buffer.concat([header, randomBytes(bodyBytes)]), { mode: 0o600 });
  return path;
}

async function allFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

test('push, list, pull and open a backup with its media companion through WebDAV', async () => {
  const local = join(work, 'push1');
  await mkdir(local);
  const backup = join(local, 'alice@jabber.de.2026-11-28-10-00.ceb');
  await copyFile(FIXTURE, backup);
  const companionBytes = randomBytes(300_000);
  await writeFile(`${backup}.media`, companionBytes);
  const folder = folderAt(dav.url, 'phone/backups/');

  const pushed = await pushBackups(folder, [backup]);
  assert.deepEqual(
    pushed.uploaded.map((u) => [u.name, u.unchanged]),
    [
      ['alice@jabber.de.2026-11-28-10-00.ceb', false],
      ['alice@jabber.de.2026-11-28-10-00.ceb.media', false],
    ],
  );
  assert.ok(
    (await readFile(join(dav.dir, 'phone/backups', 'alice@jabber.de.2026-11-28-10-00.ceb'))).equals(
      await readFile(backup),
    ),
  );
  assert.deepEqual(await allFiles(join(dav.dir, 'phone')), [
    'backups/alice@jabber.de.2026-11-28-10-00.ceb',
    'backups/alice@jabber.de.2026-11-28-10-00.ceb.media',
  ]);

  // Pushing again sends nothing (restartable).
  const again = await pushBackups(folder, [backup]);
  assert.ok(again.uploaded.every((u) => u.unchanged));

  const listed = await listRemoteBackups(folder);
  assert.equal(listed.length, 1);
  assert.equal(listed[0]?.header?.jid, 'alice@jabber.de');
  assert.equal(listed[0]?.header?.app, 'Conversations');
  assert.equal(listed[0]?.companion?.name, 'alice@jabber.de.2026-11-28-10-00.ceb.media');

  const out = join(work, 'pulled');
  await mkdir(out);
  const pulled = await pullBackups(folder, { outDir: out });
  assert.equal(pulled.downloaded.length, 2);
  assert.ok(
    (await readFile(join(out, 'alice@jabber.de.2026-11-28-10-00.ceb'))).equals(
      await readFile(backup),
    ),
  );
  assert.ok(
    (await readFile(join(out, 'alice@jabber.de.2026-11-28-10-00.ceb.media'))).equals(
      companionBytes,
    ),
  );
  const opened = await openBackup(
    join(out, 'alice@jabber.de.2026-11-28-10-00.ceb'),
    FIXTURE_PASSWORD,
  );
  let rows = 0;
  for await (const _row of opened.rows) rows++;
  assert.ok(rows > 60, 'the pulled backup decrypts and authenticates');
  assert.deepEqual(await allFiles(out), [
    'alice@jabber.de.2026-11-28-10-00.ceb',
    'alice@jabber.de.2026-11-28-10-00.ceb.media',
  ]);
});

test('list reads only the headers (ranged GET), not whole files', async () => {
  const local = join(work, 'big');
  await mkdir(local);
  const big = await fakeBackup(local, 'dora@example.net', 5, 3_000_000);
  await pushBackups(folderAt(dav.url, 'big/'), [big]);
  const before = proxy.bytesDown;
  const listed = await listRemoteBackups(folderAt(proxy.url, 'big/'));
  assert.equal(listed[0]?.header?.jid, 'dora@example.net');
  assert.ok(proxy.bytesDown - before < 100_000, `listing moved ${proxy.bytesDown - before} bytes`);
});

test('--keep N deletes only the oldest backups of the pushed account, with their companions', async () => {
  const local = join(work, 'keep');
  await mkdir(local);
  const folder = folderAt(dav.url, 'keep/');
  const a1 = await fakeBackup(local, 'alice@example.org', 1);
  await writeFile(`${a1}.media`, 'companion of the oldest');
  const a2 = await fakeBackup(local, 'alice@example.org', 2);
  const b1 = await fakeBackup(local, 'bob@example.org', 0);
  await pushBackups(folder, [a1, a2, b1]);
  // A file named like alice's but holding bob's header is not alice's.
  const disguised = join(local, 'alice@example.org.2026-11-28-09-00.ceb');
  await copyFile(await fakeBackup(join(work), 'bob@example.org', 59), disguised);
  await pushBackups(folder, [disguised]);
  const a3 = await fakeBackup(local, 'alice@example.org', 3);
  const result = await pushBackups(folder, [a3], { keep: 2 });
  assert.deepEqual(result.deleted.sort(), [
    'alice@example.org.2026-11-28-10-01.ceb',
    'alice@example.org.2026-11-28-10-01.ceb.media',
  ]);
  assert.deepEqual(await allFiles(join(dav.dir, 'keep')), [
    'alice@example.org.2026-11-28-09-00.ceb',
    'alice@example.org.2026-11-28-10-02.ceb',
    'alice@example.org.2026-11-28-10-03.ceb',
    'bob@example.org.2026-11-28-10-00.ceb',
  ]);
});

test('wrong credentials give a clear error and create nothing', async () => {
  const local = join(work, 'wrong');
  await mkdir(local);
  const backup = await fakeBackup(local, 'alice@example.org', 7);
  const err = await pushBackups(folderAt(dav.url, 'wrongcreds/', 'not the password'), [
    backup,
  ]).catch((e: unknown) => e);
  assert.ok(err instanceof RemoteStorageError);
  assert.equal(err.code, 'auth');
  assert.match(err.message, /refused the user name or password/);
  assert.doesNotMatch(err.message + err.hint, /not the password/);
  assert.deepEqual(await allFiles(join(dav.dir, 'wrongcreds')), []);
  const listErr = await listRemoteBackups(folderAt(dav.url, '', 'nope')).catch((e: unknown) => e);
  assert.equal((listErr as RemoteStorageError).code, 'auth');
});

test('a connection dropped during upload leaves no file on the server', async () => {
  const local = join(work, 'drop-up');
  await mkdir(local);
  const backup = await fakeBackup(local, 'erin@example.org', 9, 4_000_000);
  const folder = folderAt(proxy.url, 'dropup/');
  await pushBackups(folderAt(dav.url, 'dropup/'), []); // folder exists
  const cutsBefore = proxy.cuts;
  proxy.arm('upload', 1_000_000);
  const err = await pushBackups(folder, [backup]).catch((e: unknown) => e);
  assert.equal(proxy.cuts, cutsBefore + 1, 'the proxy cut the upload');
  assert.ok(err instanceof RemoteStorageError, String(err));
  assert.ok(['network', 'verify'].includes(err.code), err.code);
  await waitFor(
    async () => (await allFiles(join(dav.dir, 'dropup'))).length === 0,
    async () =>
      `no file left on the server: ${(await allFiles(join(dav.dir, 'dropup'))).join(', ')}`,
  );
  // Running it again completes.
  const retried = await pushBackups(folder, [backup]);
  assert.equal(retried.uploaded[0]?.unchanged, false);
  assert.ok(
    (await readFile(join(dav.dir, 'dropup', 'erin@example.org.2026-11-28-10-09.ceb'))).equals(
      await readFile(backup),
    ),
  );
});

test('a connection dropped during download leaves no partial file', async () => {
  const local = join(work, 'drop-down');
  await mkdir(local);
  const backup = await fakeBackup(local, 'finn@example.org', 11, 4_000_000);
  await pushBackups(folderAt(dav.url, 'dropdown/'), [backup]);
  const out = join(work, 'drop-down-out');
  await mkdir(out);
  proxy.arm('download', 1_000_000);
  const err = await pullBackups(folderAt(proxy.url, 'dropdown/'), { outDir: out }).catch(
    (e: unknown) => e,
  );
  assert.ok(err instanceof RemoteStorageError, String(err));
  assert.ok(['network', 'verify'].includes(err.code), err.code);
  assert.match(err.message, /finn@example\.org/);
  assert.deepEqual(await allFiles(out), []);
  const retried = await pullBackups(folderAt(proxy.url, 'dropdown/'), { outDir: out });
  assert.equal(retried.downloaded.length, 1);
  assert.ok(
    (await readFile(join(out, 'finn@example.org.2026-11-28-10-11.ceb'))).equals(
      await readFile(backup),
    ),
  );
});

async function waitFor(
  check: () => Promise<boolean>,
  what: () => Promise<string>,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting: ${await what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
