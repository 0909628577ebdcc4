/**
 * The media companion in the web app: "Include media files" on Create backup writes the companion
 * beside each .ceb (with a download link); Import restores it — found beside the backup, or chosen
 * together with an uploaded backup — and says what was restored. API level, then real Chromium;
 * screenshots go to test-output/screenshots/web-media-*.png.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { companionPathFor, mediaFilePath } from '../migration/media/layout.js';
import { seedAccountWithMedia } from '../migration/media/testing.js';
import { openProfile } from '../store/profile.js';
import { startWebApp } from './server.js';
import { apiClient } from './testing/api-client.js';
import { launchChromium, screenshot } from './testing/browser.js';

const PASSWORD = 'old phone pässword 🔑';
const IMAGE = 'Conversations Images/IMG_20261128_101010.jpg';

/** An old device: one account with a chat holding an image message, its file under PROFILE/Media/. */
async function oldDevice(
  dir: string,
  jid = 'alice@example.org',
): Promise<{ profileDir: string; image: Buffer }> {
  const profileDir = join(dir, `old-${jid}`);
  const image = randomBytes(150_000);
  const profile = openProfile(profileDir);
  try {
    await seedAccountWithMedia(profileDir, profile.db, {
      jid,
      password: PASSWORD,
      files: [[IMAGE, image]],
    });
  } finally {
    profile.close();
  }
  return { profileDir, image };
}

interface FileEntry {
  kind: string;
  name: string;
  path: string;
  backup?: string;
  files?: number;
  download: string;
}

test('API: create with media, import restores the companion found beside or uploaded', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-web-media-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { profileDir, image } = await oldDevice(dir);
  const oldApp = await startWebApp({ profileDir, connect: false, crypto: false, home: dir });
  t.after(() => oldApp.close());
  const oldApi = await apiClient(oldApp);

  // Without the option: no companion.
  const plain = await oldApi.post('/api/backups', { format: 2 });
  const plainJob = await oldApi.waitForJob((plain.body.job as { id: string }).id);
  const plainFiles = (plainJob.result as { files: FileEntry[] }).files;
  assert.deepEqual(
    plainFiles.map((f) => f.kind),
    ['backup'],
  );

  const started = await oldApi.post('/api/backups', { format: 2, withMedia: true });
  assert.equal(started.status, 200);
  const job = await oldApi.waitForJob((started.body.job as { id: string }).id);
  assert.equal(job.state, 'done', JSON.stringify(job.error));
  const files = (job.result as { files: FileEntry[] }).files;
  assert.deepEqual(
    files.map((f) => f.kind),
    ['backup', 'media'],
  );
  const [ceb, media] = files as [FileEntry, FileEntry];
  assert.equal(media.name, `${ceb.name}.media`, 'named after its backup');
  assert.equal(media.backup, ceb.name);
  assert.equal(media.files, 1);
  assert.equal(media.path, companionPathFor(ceb.path));
  const token = new URL(oldApp.url).searchParams.get('token') ?? '';
  const downloaded = await fetch(oldApp.origin + media.download, {
    headers: { cookie: `ferry_token=${token}` },
  });
  assert.equal(downloaded.status, 200);
  assert.deepEqual(Buffer.from(await downloaded.arrayBuffer()), readFileSync(media.path));

  // New device 1: the backup and its companion lie in a folder that is searched.
  const newApp = await startWebApp({
    profileDir: join(dir, 'new-found'),
    connect: false,
    crypto: false,
    home: join(dir, 'empty-home'),
    extraBackupDirs: [join(profileDir, 'Backup')],
  });
  t.after(() => newApp.close());
  const newApi = await apiClient(newApp);
  const found = (await newApi.get('/api/imports/found')).body.backups as {
    path: string;
    companion: string | null;
    source: unknown;
  }[];
  const listed = found.find((b) => b.path === ceb.path);
  assert.equal(listed?.companion, media.name);
  const imported = await newApi.post('/api/imports', {
    source: listed?.source,
    password: PASSWORD,
  });
  const importJob = await newApi.waitForJob((imported.body.job as { id: string }).id);
  assert.equal(importJob.state, 'done', JSON.stringify(importJob.error));
  const result = importJob.result as {
    missingCount: number;
    media: { companion: string; restored: string[]; damaged: unknown[] };
  };
  assert.equal(result.media.companion, media.name);
  assert.deepEqual(result.media.restored, [IMAGE]);
  assert.deepEqual(result.media.damaged, []);
  assert.equal(result.missingCount, 0);
  assert.deepEqual(readFileSync(mediaFilePath(join(dir, 'new-found'), IMAGE)), image);

  // New device 2: both files uploaded ("from anywhere"); a wrong companion is refused first.
  const upApp = await startWebApp({
    profileDir: join(dir, 'new-upload'),
    connect: false,
    crypto: false,
    home: join(dir, 'empty-home'),
  });
  t.after(() => upApp.close());
  const upApi = await apiClient(upApp);
  const up = await upApi.upload('/api/imports/upload', ceb.name, readFileSync(ceb.path));
  assert.equal(up.status, 200);
  const uploadId = ((up.body.backup as { source: { upload: string } }).source as { upload: string })
    .upload;
  const notCompanion = await upApi.upload(
    `/api/imports/upload/${uploadId}/media`,
    'photo.jpg',
    image,
  );
  assert.equal(notCompanion.status, 422);
  assert.equal(notCompanion.body.error, 'This is not a media file of a backup.');
  const other = await oldDevice(dir, 'bob@example.org');
  const otherApp = await startWebApp({
    profileDir: other.profileDir,
    connect: false,
    crypto: false,
  });
  t.after(() => otherApp.close());
  const otherApi = await apiClient(otherApp);
  const otherJob = await otherApi.waitForJob(
    ((await otherApi.post('/api/backups', { withMedia: true })).body.job as { id: string }).id,
  );
  const otherMedia = (otherJob.result as { files: FileEntry[] }).files[1] as FileEntry;
  const wrongAccount = await upApi.upload(
    `/api/imports/upload/${uploadId}/media`,
    otherMedia.name,
    readFileSync(otherMedia.path),
  );
  assert.equal(wrongAccount.status, 422);
  assert.equal(
    wrongAccount.body.error,
    'This media file belongs to bob@example.org, not to alice@example.org.',
  );
  const right = await upApi.upload(
    `/api/imports/upload/${uploadId}/media`,
    media.name,
    readFileSync(media.path),
  );
  assert.equal(right.status, 200, JSON.stringify(right.body));
  assert.equal((right.body.media as { name: string }).name, media.name);
  const upImport = await upApi.post('/api/imports', {
    source: { upload: uploadId },
    password: PASSWORD,
  });
  const upJob = await upApi.waitForJob((upImport.body.job as { id: string }).id);
  assert.equal(upJob.state, 'done', JSON.stringify(upJob.error));
  const upResult = upJob.result as { media: { companion: string; restored: string[] } };
  assert.equal(upResult.media.companion, media.name, 'shown with the name it was chosen as');
  assert.deepEqual(upResult.media.restored, [IMAGE]);
  assert.deepEqual(readFileSync(mediaFilePath(join(dir, 'new-upload'), IMAGE)), image);
});

test(
  'Chromium: create a backup with media, import it elsewhere with both files',
  { timeout: 90_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-web-media-e2e-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const { profileDir, image } = await oldDevice(dir);
    const browser = await launchChromium();
    t.after(() => browser.close());
    const page = await browser.newPage({
      viewport: { width: 1000, height: 900 },
      acceptDownloads: true,
    });
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));

    // Old device: Create backup with "Include media files".
    const oldApp = await startWebApp({ profileDir, connect: false, crypto: false, home: dir });
    t.after(() => oldApp.close());
    await page.goto(oldApp.url);
    await page.getByRole('link', { name: 'Create backup', exact: true }).click();
    await page.getByRole('heading', { level: 2, name: 'Create backup' }).waitFor();
    await page.getByLabel(/Make sure that you know the password/).check();
    const withMedia = page.getByLabel('Include media files (photos, files) in a companion file');
    assert.equal(await withMedia.isChecked(), false, 'off unless chosen');
    await withMedia.check();
    await screenshot(page, 'media-create-checklist');
    await page.getByRole('button', { name: 'Create backup' }).click();
    await page.getByRole('heading', { name: 'The backup is finished' }).waitFor();
    const cebLink = page.getByRole('link', { name: /^Download alice@example\.org\..*\.ceb$/ });
    const mediaLink = page.getByRole('link', {
      name: /^Download alice@example\.org\..*\.ceb\.media$/,
    });
    await mediaLink.waitFor();
    await page.getByText('1 file', { exact: false }).first().waitFor();
    await screenshot(page, 'media-create-done');
    const moved = join(dir, 'usb-stick');
    mkdirSync(moved);
    const save = async (link: typeof cebLink): Promise<string> => {
      const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
      const to = join(moved, download.suggestedFilename());
      await download.saveAs(to);
      return to;
    };
    const cebFile = await save(cebLink);
    const mediaFile = await save(mediaLink);
    assert.equal(basename(mediaFile), `${basename(cebFile)}.media`);
    assert.ok(existsSync(join(profileDir, 'Backup', basename(mediaFile))), 'the companion exists');
    assert.deepEqual(
      readFileSync(mediaFile),
      readFileSync(join(profileDir, 'Backup', basename(mediaFile))),
    );

    // New device: Import through the file picker, with the media file as the second file.
    const newDir = join(dir, 'new');
    const newApp = await startWebApp({
      profileDir: newDir,
      connect: false,
      crypto: false,
      home: join(dir, 'empty-home'),
    });
    t.after(() => newApp.close());
    await page.goto(newApp.url);
    await page.getByRole('link', { name: 'Import backup', exact: true }).click();
    await page.getByRole('heading', { level: 2, name: 'Import backup' }).waitFor();
    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      page.getByText('Choose a backup file…').click(),
    ]);
    await chooser.setFiles(cebFile);
    const dialog = page.getByRole('dialog', { name: 'Enter the password' });
    await dialog.waitFor();
    const [mediaChooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      dialog.getByText('Media file (optional, .ceb.media)…').click(),
    ]);
    await mediaChooser.setFiles(mediaFile);
    await dialog.getByText(/its photos and files are restored too/).waitFor();
    await dialog.getByLabel('Account password').fill(PASSWORD);
    await screenshot(page, 'media-import-password');
    await dialog.getByRole('button', { name: 'Import' }).click();
    await page
      .getByRole('heading', { name: 'The backup of alice@example.org is imported' })
      .waitFor();
    const photos = page.getByRole('region', { name: 'Photos and files' });
    await photos.getByText('1 restored').waitFor();
    await photos.getByText('0 skipped').waitFor();
    await photos.getByText('0 damaged').waitFor();
    await photos.getByText('0 still missing').waitFor();
    await page.getByText('No files of the chats are missing on this device.').waitFor();
    await screenshot(page, 'media-import-done');
    assert.deepEqual(readFileSync(mediaFilePath(newDir, IMAGE)), image, 'byte-identical');

    // Another new device: both files chosen together in the first picker.
    const otherDir = join(dir, 'new-together');
    const otherApp = await startWebApp({
      profileDir: otherDir,
      connect: false,
      crypto: false,
      home: join(dir, 'empty-home'),
    });
    t.after(() => otherApp.close());
    await page.goto(otherApp.url);
    await page.getByRole('link', { name: 'Import backup', exact: true }).click();
    const [both] = await Promise.all([
      page.waitForEvent('filechooser'),
      page.getByText('Choose a backup file…').click(),
    ]);
    await both.setFiles([mediaFile, cebFile]);
    await dialog.getByText(/its photos and files are restored too/).waitFor();
    await dialog.getByLabel('Account password').fill(PASSWORD);
    await dialog.getByRole('button', { name: 'Import' }).click();
    await page.getByRole('region', { name: 'Photos and files' }).getByText('1 restored').waitFor();
    assert.deepEqual(readFileSync(mediaFilePath(otherDir, IMAGE)), image);
    assert.deepEqual(pageErrors, []);
  },
);
