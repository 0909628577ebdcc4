/**
 * The cloud (WebDAV) part of the web app against a real `rclone serve webdav` on 127.0.0.1, in real
 * Chromium: upload after Create backup (byte-identical on the server), list and download on a fresh
 * profile, import; wrong credentials and an unreachable server in the user's words; and a page
 * reload while a download is still running (held by a proxy, not by timing) reattaches to its live
 * progress and shows the result. Screenshots: test-output/screenshots/web-cloud-*.png.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { mediaFilePath } from '../migration/media/layout.js';
import { seedAccountWithMedia } from '../migration/media/testing.js';
import {
  freePort,
  startCuttingProxy,
  startWebdav,
} from '../migration/remote/testing/webdav-server.js';
import { openProfile } from '../store/profile.js';
import { startWebApp, type RunningWebApp } from './server.js';
import { apiClient } from './testing/api-client.js';
import { launchChromium, screenshot } from './testing/browser.js';
import { startPausingProxy } from './testing/pausing-proxy.js';

const PASSWORD = 'old phone pässword 🔑';
const JID = 'alice@example.org';
const IMAGE = 'Conversations Images/IMG_20261128_101010.jpg';

/** An old device: one account with an image message, its file under PROFILE/Media/. */
async function oldDevice(dir: string): Promise<{ profileDir: string; image: Buffer }> {
  const profileDir = join(dir, 'old');
  const image = randomBytes(200_000);
  const profile = openProfile(profileDir);
  try {
    await seedAccountWithMedia(profileDir, profile.db, {
      jid: JID,
      password: PASSWORD,
      files: [[IMAGE, image]],
    });
  } finally {
    profile.close();
  }
  return { profileDir, image };
}

async function openScreen(page: Page, app: RunningWebApp, screen: string): Promise<void> {
  await page.goto(app.url);
  await page.getByRole('link', { name: screen, exact: true }).click();
  await page.getByRole('heading', { level: 2, name: screen }).waitFor();
}

async function fillCloud(
  page: Page,
  section: string,
  fields: { url: string; user: string; password: string },
): Promise<void> {
  const card = page.getByRole('region', { name: section });
  await card.getByLabel('Folder address (WebDAV URL)').fill(fields.url);
  await card.getByLabel('User name').fill(fields.user);
  await card.getByLabel(/^Password/).fill(fields.password);
}

test(
  'Chromium: upload after Create backup, list and download on a new device, import',
  { timeout: 120_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-web-cloud-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const dav = await startWebdav();
    t.after(() => dav.stop());
    const { profileDir, image } = await oldDevice(dir);
    const browser = await launchChromium();
    t.after(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1000, height: 1000 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    const folderUrl = `${dav.url}Backups/phone/`;
    const good = { url: folderUrl, user: dav.user, password: dav.password };

    // Old device: create the backup with its media file, then upload both.
    const oldApp = await startWebApp({ profileDir, connect: false, crypto: false, home: dir });
    t.after(() => oldApp.close());
    await openScreen(page, oldApp, 'Create backup');
    await page.getByLabel(/Make sure that you know the password/).check();
    await page.getByLabel('Include media files (photos, files) in a companion file').check();
    await page.getByRole('button', { name: 'Create backup' }).click();
    await page.getByRole('heading', { name: 'The backup is finished' }).waitFor();
    const upload = page.getByRole('region', {
      name: 'Upload to a cloud folder (WebDAV: Nextcloud, ownCloud, …)',
    });
    await fillCloud(page, 'Upload to a cloud folder (WebDAV: Nextcloud, ownCloud, …)', good);
    await upload.getByLabel(/Keep only the newest backups/).fill('2');
    await upload.getByRole('button', { name: 'Upload' }).click();
    await upload.getByText(/Uploaded and verified: alice@example\.org\..*\.ceb\.media/).waitFor();
    await upload.getByText(/Uploaded and verified: alice@example\.org\..*\.ceb \(/).waitFor();
    await screenshot(page, 'cloud-upload');
    const local = readdirSync(join(profileDir, 'Backup')).filter((n) => !n.startsWith('.'));
    const remote = readdirSync(join(dav.dir, 'Backups', 'phone'));
    assert.deepEqual(
      remote.sort(),
      local.sort(),
      'the backup and its media file are on the server',
    );
    assert.equal(local.length, 2);
    for (const name of local) {
      assert.deepEqual(
        readFileSync(join(dav.dir, 'Backups', 'phone', name)),
        readFileSync(join(profileDir, 'Backup', name)),
        `${name} is byte-identical on the server`,
      );
    }
    const oldApi = await apiClient(oldApp);
    const jobs = JSON.stringify((await oldApi.get('/api/jobs')).body);
    assert.ok(!jobs.includes(dav.password), 'no job snapshot holds the cloud password');

    // New device: wrong credentials first, then list, download, import.
    const newDir = join(dir, 'new');
    const newApp = await startWebApp({
      profileDir: newDir,
      connect: false,
      crypto: false,
      home: join(dir, 'empty-home'),
    });
    t.after(() => newApp.close());
    await openScreen(page, newApp, 'Import backup');
    const cloud = page.getByRole('region', { name: 'Get backups from a cloud folder' });
    await fillCloud(page, 'Get backups from a cloud folder', { ...good, password: 'not it' });
    await cloud.getByRole('button', { name: 'Show backups' }).click();
    await cloud
      .getByRole('alert')
      .getByText('The cloud folder refused the user name or password.')
      .waitFor();
    await screenshot(page, 'cloud-wrong-credentials');
    await cloud.getByLabel(/^Password/).fill(dav.password);
    await cloud.getByRole('button', { name: 'Show backups' }).click();
    const row = cloud.getByRole('row', { name: /alice@example\.org/ });
    await row.getByText('with its media file').waitFor();
    assert.equal(await cloud.getByRole('alert').count(), 0, 'the error is gone');
    await screenshot(page, 'cloud-list');
    await row.getByRole('button', { name: /^Download the backup of alice@example\.org/ }).click();
    await cloud.getByText(/Downloaded and verified/).waitFor();
    for (const name of local) {
      assert.deepEqual(
        readFileSync(join(newDir, 'Backup', name)),
        readFileSync(join(profileDir, 'Backup', name)),
        `${name} downloaded byte-identical into Backup/`,
      );
    }
    const importButton = page.getByRole('button', {
      name: /^Import the backup of alice@example\.org/,
    });
    await importButton.waitFor();
    await screenshot(page, 'cloud-downloaded');
    await importButton.click();
    const dialog = page.getByRole('dialog', { name: 'Enter the password' });
    await dialog.getByText(/the\s+photos and files are restored too/).waitFor();
    await dialog.getByLabel('Account password').fill(PASSWORD);
    await dialog.getByRole('button', { name: 'Import' }).click();
    await page.getByRole('heading', { name: `The backup of ${JID} is imported` }).waitFor();
    await page.getByRole('region', { name: 'Photos and files' }).getByText('1 restored').waitFor();
    await screenshot(page, 'cloud-import-done');
    assert.deepEqual(readFileSync(mediaFilePath(newDir, IMAGE)), image, 'byte-identical image');
    assert.deepEqual(pageErrors, []);
  },
);

test('API: unreachable server, bad address, dropped connection, credentials never echoed', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-web-cloud-api-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const app = await startWebApp({ profileDir: join(dir, 'p'), connect: false, crypto: false });
  t.after(() => app.close());
  const api = await apiClient(app);
  const port = await freePort();
  const secret = 'zz-secret-zz';
  const unreachable = await api.post('/api/cloud/list', {
    url: `http://127.0.0.1:${port}/Backups/`,
    user: 'kim',
    password: secret,
  });
  assert.equal(unreachable.status, 422);
  assert.equal(unreachable.body.kind, 'unreachable');
  assert.equal(unreachable.body.error, 'The cloud server is unreachable.');
  assert.ok(!JSON.stringify(unreachable.body).includes(secret));
  const inUrl = await api.post('/api/cloud/list', {
    url: `http://kim:${secret}@127.0.0.1:${port}/`,
  });
  assert.equal(inUrl.status, 422);
  assert.equal(inUrl.body.error, 'This is not a cloud folder address.');
  assert.ok(!JSON.stringify(inUrl.body).includes(secret));
  const noBackup = await api.post('/api/cloud/push', { url: 'http://127.0.0.1/', job: 'nope' });
  assert.equal(noBackup.status, 404);

  // A connection that drops in the middle of a download: said so, and no partial file is left.
  const dav = await startWebdav();
  t.after(() => dav.stop());
  const proxy = await startCuttingProxy(dav.port);
  t.after(() => proxy.stop());
  const { profileDir } = await oldDevice(dir);
  const oldApp = await startWebApp({ profileDir, connect: false, crypto: false, home: dir });
  const oldApi = await apiClient(oldApp);
  const made = await oldApi.waitForJob(
    ((await oldApi.post('/api/backups', { withMedia: true })).body.job as { id: string }).id,
  );
  await oldApp.close();
  const files = (made.result as { files: { name: string; path: string }[] }).files;
  mkdirSync(join(dav.dir, 'b'));
  for (const f of files) copyFileSync(f.path, join(dav.dir, 'b', f.name));
  const fields = { url: `${proxy.url}b/`, user: dav.user, password: dav.password };
  const listed = await api.post('/api/cloud/list', fields);
  assert.equal(listed.status, 200, JSON.stringify(listed.body));
  assert.ok(!JSON.stringify(listed.body).includes(dav.password), 'the answer holds no password');
  const [remote] = listed.body.backups as { name: string; jid: string; companion: unknown }[];
  assert.equal(remote?.jid, JID);
  assert.ok(remote.companion, 'its media file is listed with it');
  proxy.arm('download', 50_000);
  const pull = await api.post('/api/cloud/pull', { ...fields, name: remote.name });
  const job = await api.waitForJob((pull.body.job as { id: string }).id);
  assert.equal(job.state, 'failed');
  assert.equal(job.error?.kind, 'connection-lost');
  assert.equal(
    job.error?.message,
    'The connection to the cloud server dropped. No partial file was kept.',
  );
  assert.ok(!JSON.stringify(job).includes(dav.password), 'the job holds no password');
  assert.deepEqual(readdirSync(join(dir, 'p', 'Backup')), [], 'nothing partial in Backup/');
});

test(
  'Chromium: a reload while a download is still running reattaches to its progress',
  { timeout: 90_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-web-cloud-reload-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const dav = await startWebdav();
    t.after(() => dav.stop());
    const proxy = await startPausingProxy(dav.port);
    t.after(() => proxy.stop());
    t.after(() => proxy.resume());

    // A backup with its media file in the cloud folder (made through the API of an old device).
    const { profileDir } = await oldDevice(dir);
    const oldApp = await startWebApp({ profileDir, connect: false, crypto: false, home: dir });
    const oldApi = await apiClient(oldApp);
    const made = await oldApi.waitForJob(
      ((await oldApi.post('/api/backups', { withMedia: true })).body.job as { id: string }).id,
    );
    await oldApp.close();
    const files = (made.result as { files: { name: string; path: string }[] }).files;
    mkdirSync(join(dav.dir, 'b'));
    for (const f of files) copyFileSync(f.path, join(dav.dir, 'b', f.name));
    const companion = files.find((f) => f.name.endsWith('.media'));
    assert.ok(companion);

    const newDir = join(dir, 'new');
    const app = await startWebApp({
      profileDir: newDir,
      connect: false,
      crypto: false,
      home: join(dir, 'empty-home'),
    });
    t.after(() => app.close());
    const browser = await launchChromium();
    t.after(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    await openScreen(page, app, 'Import backup');
    const cloud = page.getByRole('region', { name: 'Get backups from a cloud folder' });
    await fillCloud(page, 'Get backups from a cloud folder', {
      url: `${proxy.url}b/`,
      user: dav.user,
      password: dav.password,
    });
    await cloud.getByRole('button', { name: 'Show backups' }).click();
    const download = cloud.getByRole('button', { name: /^Download the backup of alice/ });
    await download.waitFor();

    // Hold the transfer in the middle of the media file (200 KB), then reload the page.
    const paused = proxy.pauseAfter(60_000);
    await download.click();
    await paused;
    const api = await apiClient(app);
    const running = (await api.get('/api/jobs?kind=cloud-download')).body.jobs as {
      state: string;
      progress: Record<string, { done: number; total: number }>;
    }[];
    assert.equal(running[0]?.state, 'running');
    await page.reload();
    await page.getByRole('heading', { level: 2, name: 'Import backup' }).waitFor();
    await cloud.getByRole('status').getByText('Working…').waitFor();
    // The media file comes first: the backup is not offered for import before both are here.
    await page.getByText('No backup files were found in the usual places.').waitFor();
    await cloud
      .getByText(new RegExp(`${companion.name.replace(/\./g, '\\.')} — downloading \\(\\d+%\\)`))
      .waitFor();
    await screenshot(page, 'cloud-reload-running');
    const still = (await api.get('/api/jobs?kind=cloud-download')).body.jobs as { state: string }[];
    assert.equal(still[0]?.state, 'running', 'still running after the reload');

    // Let it finish: the reattached page shows the result and the file in the found list.
    proxy.resume();
    await cloud.getByText(/Downloaded and verified/).waitFor();
    await page.getByRole('button', { name: /^Import the backup of alice@example\.org/ }).waitFor();
    await screenshot(page, 'cloud-reload-done');
    assert.deepEqual(
      readFileSync(join(newDir, 'Backup', companion.name)),
      readFileSync(companion.path),
    );
  },
);
