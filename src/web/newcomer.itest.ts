/**
 * The web app as a newcomer walks it, at 1280 px and at 375 px: every screen with its defaults left
 * alone and optional fields empty, every control reached by a tap at its centre (the element there
 * is the control), and after every action the outcome (progress, result or error) inside the
 * viewport with no earlier outcome left that contradicts it. Real Prosody, real WebDAV (rclone),
 * real Chromium. Screenshots: test-output/screenshots/web-newcomer-<width>-<step>.png.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { openProfile } from '../store/profile.js';
import { findOrCreateConversation } from '../store/conversations.js';
import { insertMessage, MESSAGE_ENCRYPTION, MESSAGE_STATUS } from '../store/messages.js';
import { startProsody, type ProsodyServer } from '../xmpp/testing/prosody.js';
import { startWebdav, type TestWebdav } from '../migration/remote/testing/webdav-server.js';
import { startWebApp } from './server.js';
import { launchChromium, screenshot } from './testing/browser.js';
import { seedOldDevice } from './testing/seed.js';

const PASSWORD = 'old phone pässword 🔑';
const LONG_CONTACT = 'maximilian.mustermann-schmidt.from.the.office@conference.example.org';

/** One walk through the app in a window WIDTH px wide. */
class Walk {
  private shot = 0;
  constructor(
    readonly page: Page,
    readonly width: number,
  ) {}

  /** Taps LOCATOR at its centre, after checking that the element there is the control itself. */
  async tap(locator: Locator, what: string): Promise<void> {
    await locator.waitFor();
    await locator.scrollIntoViewIfNeeded();
    const box = await locator.boundingBox();
    assert.ok(box, `${this.width}px: ${what} has a box`);
    const x = box.x + box.width / 2;
    const y = box.y + box.height / 2;
    const hit = await locator.evaluate(
      (el, at) => {
        const top = document.elementFromPoint(at.x, at.y);
        return top !== null && (top === el || el.contains(top));
      },
      { x, y },
    );
    assert.ok(hit, `${this.width}px: a tap at the centre of ${what} reaches it`);
    assert.ok(
      x >= 0 && x <= this.width,
      `${this.width}px: ${what} is within the width (x=${Math.round(x)})`,
    );
    await this.page.mouse.click(x, y);
  }

  /** The outcome LOCATOR is shown, its top inside the viewport, nothing wider than the window. */
  async seen(locator: Locator, what: string): Promise<void> {
    await locator.first().waitFor({ timeout: 30_000 });
    // An outcome scrolls itself into view; give a smooth scroll no chance to be mid-way.
    await this.page.evaluate(
      () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))),
    );
    const box = await locator.first().boundingBox();
    const view = this.page.viewportSize();
    assert.ok(box && view, `${what}: shown`);
    assert.ok(
      box.y >= 0 && box.y < view.height && box.x >= 0 && box.x < view.width,
      `${this.width}px: ${what} is inside the viewport (top ${Math.round(box.y)} of ${view.height})`,
    );
    const overflow = await this.page.evaluate(
      () => document.documentElement.scrollWidth - window.innerWidth,
    );
    assert.ok(overflow <= 1, `${this.width}px: nothing wider than the window (${overflow} px)`);
  }

  /** No visible outcome on the page says any of STALE (what an earlier action said). */
  async noneOf(stale: (string | RegExp)[], after: string): Promise<void> {
    for (const s of stale) {
      const shown = this.page.getByText(s);
      const n = await shown.count();
      for (let i = 0; i < n; i++) {
        assert.equal(
          await shown.nth(i).isVisible(),
          false,
          `${this.width}px: after ${after}, the earlier "${String(s)}" is gone`,
        );
      }
    }
  }

  /** Words a person reads: no glued sentences ("yet.Copy", "in/root"), no "file(s)", no "rows". */
  async wording(screen: string): Promise<void> {
    const text = await this.page.evaluate(() => document.body.innerText);
    assert.doesNotMatch(text, /[a-z]{2}\.[A-Z][a-z]/, `${screen}: a space after every sentence`);
    assert.doesNotMatch(text, /\b(in|into|from|to)\//, `${screen}: a space before a path`);
    assert.doesNotMatch(text, /file\(s\)|\brows\b|\bKB\b|\bMB\b/, `${screen}: plain words`);
  }

  async screenshot(step: string): Promise<void> {
    this.shot++;
    await screenshot(
      this.page,
      `newcomer-${this.width}-${String(this.shot).padStart(2, '0')}-${step}`,
    );
  }

  async screen(name: string): Promise<void> {
    const link = this.page.getByRole('link', { name, exact: true });
    await this.tap(link, `the "${name}" tab`);
    await this.page.getByRole('heading', { level: 2, name }).waitFor();
  }
}

interface World {
  dir: string;
  server: ProsodyServer;
  dav: TestWebdav;
  browser: Browser;
}

async function walk(world: World, width: number, height: number): Promise<void> {
  const { server, browser } = world;
  const dir = join(world.dir, String(width));
  const alice = `alice@${server.domain}`;
  const bob = `bob@${server.domain}`;
  // The old device: alice's account with some history (connected to this test's Prosody).
  const oldDir = join(dir, 'old');
  const seeded = openProfile(oldDir);
  const { accountUuid } = seedOldDevice(seeded.db, {
    jid: alice,
    password: PASSWORD,
    ...server.accountOptions,
    peer: bob,
  });
  // A contact whose address is longer than a phone is wide (the chat list must not overlap it).
  const { conversation } = findOrCreateConversation(seeded.db, {
    accountUuid,
    contactJid: LONG_CONTACT,
    mode: 0,
    created: Date.UTC(2026, 10, 19),
  });
  insertMessage(seeded.db, {
    conversationUuid: conversation.uuid,
    timeSent: Date.UTC(2026, 10, 19, 8, 0),
    status: MESSAGE_STATUS.received,
    counterpart: LONG_CONTACT,
    body: 'An old chat with a long address',
    encryption: MESSAGE_ENCRYPTION.none,
    read: 1,
  });
  seeded.close();

  const context = await browser.newContext({
    viewport: { width, height },
    acceptDownloads: true,
    hasTouch: width < 500,
    isMobile: width < 500,
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const w = new Walk(page, width);
  try {
    await steps(w, world, dir, oldDir, alice, bob);
  } catch (err) {
    await screenshot(page, `newcomer-${width}-failed`).catch(() => {});
    throw err;
  } finally {
    await context.close();
  }
  assert.deepEqual(errors, [], `${width}px: no script errors`);
}

async function steps(
  w: Walk,
  world: World,
  dir: string,
  oldDir: string,
  alice: string,
  bob: string,
): Promise<void> {
  const { dav } = world;
  const { page, width } = w;

  // --- Old device: Accounts, then Create backup with the defaults --------------------------------
  const oldApp = await startWebApp({ profileDir: oldDir, connect: false, home: dir });
  let fileName = '';
  try {
    await page.goto(oldApp.url);
    await page.getByRole('heading', { level: 2, name: 'Accounts' }).waitFor();
    await w.seen(page.getByText(alice), 'the account');
    await w.wording('Accounts');
    await w.screenshot('accounts');
    await w.screen('Create backup');
    await w.tap(page.getByLabel(/Make sure that you know the password/), 'the first step');
    await w.tap(page.getByRole('button', { name: 'Deactivate all accounts' }), 'Deactivate');
    await w.seen(
      page.getByRole('button', { name: 'All accounts are deactivated' }),
      'the accounts deactivated',
    );
    await w.screenshot('create-backup');
    await w.tap(page.getByRole('button', { name: 'Create backup' }), 'Create backup');
    await w.seen(page.getByRole('heading', { name: 'The backup is finished' }), 'the backup');
    await w.noneOf(['Working…', /writing/], 'the backup finished');
    await w.wording('Create backup, finished');
    await w.screenshot('create-backup-done');
    const link = page.getByRole('link', { name: /^Download alice@/ });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      w.tap(link, 'the download link'),
    ]);
    fileName = download.suggestedFilename();
    await download.saveAs(join(dir, 'moved', fileName));
  } finally {
    await oldApp.close();
  }

  // The files on the way: a copy where Conversations puts them, a damaged one, one in the cloud.
  const home = join(dir, 'home');
  const found = join(home, 'Download', 'Conversations', 'Backup');
  mkdirSync(found, { recursive: true });
  const backup = join(dir, 'moved', fileName);
  assert.ok(statSync(backup).size > 100);
  assert.deepEqual(readdirSync(join(dir, 'moved')), [fileName]);
  copyFileSync(backup, join(found, fileName));
  const damaged = join(dir, 'moved', `damaged-${fileName}`);
  const bytes = readFileSync(backup);
  writeFileSync(damaged, bytes.subarray(0, Math.floor(bytes.length * 0.7)));
  // (The folder was made before the server listed anything: rclone caches its listings.)
  const cloudFolder = join(dav.dir, `phone-${width}`);
  copyFileSync(backup, join(cloudFolder, fileName));

  // --- New device: Import backup -----------------------------------------------------------------
  const newApp = await startWebApp({ profileDir: join(dir, 'new'), home });
  try {
    await page.goto(newApp.url);
    await w.screen('Import backup');
    const list = page.getByRole('table', { name: 'Backup files found on this device' });
    const importButton = list.getByRole('button', { name: `Import the backup of ${alice}` });
    await w.seen(importButton, 'the Import button of the backup found');
    await w.wording('Import backup');
    await w.screenshot('import');

    // A wrong password: said in the dialog; cancelled, it leaves nothing behind.
    const dialog = page.getByRole('dialog', { name: 'Enter the password' });
    await w.tap(importButton, 'Import');
    await dialog.waitFor();
    await dialog.getByLabel('Account password').fill('not the password');
    await w.tap(dialog.getByRole('button', { name: 'Import' }), 'Import in the dialog');
    const wrong = 'Wrong password: this backup does not open with it.';
    await w.seen(dialog.getByText(wrong), 'the wrong password');
    await w.screenshot('import-wrong-password');
    await w.tap(dialog.getByRole('button', { name: 'Cancel' }), 'Cancel');
    await dialog.waitFor({ state: 'hidden' });
    await w.noneOf([wrong], 'cancelling the dialog');

    // A damaged file chosen from the disk: the error shows where the person looks.
    const damagedText = 'The backup file is damaged or incomplete. Nothing was imported.';
    await chooseFile(w, damaged);
    await dialog.waitFor();
    await w.noneOf([wrong], 'a new file chosen');
    await dialog.getByLabel('Account password').fill(PASSWORD);
    await w.tap(dialog.getByRole('button', { name: 'Import' }), 'Import in the dialog');
    await w.seen(page.getByText(damagedText), 'the damaged file');
    await w.screenshot('import-damaged');

    // The cloud folder (its address, user and password are what the person has to give).
    const cloud = page.getByRole('region', { name: 'Get backups from a cloud folder' });
    await cloud.getByLabel('Folder address (WebDAV URL)').fill(`${dav.url}phone-${width}/`);
    await cloud.getByLabel('User name').fill(dav.user);
    await cloud.getByLabel(/^Password/).fill(dav.password);
    await w.tap(cloud.getByRole('button', { name: 'Show backups' }), 'Show backups');
    const cloudList = cloud.getByRole('table', { name: 'Backup files in the cloud folder' });
    await w.seen(cloudList, 'the cloud listing');
    await w.noneOf([damagedText], 'listing the cloud folder');
    await w.tap(cloudList.getByRole('button', { name: /^Download the backup of / }), 'Download');
    await w.seen(cloud.getByText(/^Downloaded and verified/), 'the download');
    await w.noneOf([damagedText], 'the download');
    await w.wording('Import backup, cloud');
    await w.screenshot('import-cloud');

    // The backup found on this device, the right password: imported.
    await w.tap(importButton.first(), 'Import');
    await dialog.getByLabel('Account password').fill(PASSWORD);
    await w.tap(dialog.getByRole('button', { name: 'Import' }), 'Import in the dialog');
    const imported = page.getByRole('heading', { name: `The backup of ${alice} is imported` });
    await w.seen(imported, 'the import result');
    await w.noneOf([damagedText, wrong, /^Downloaded and verified/], 'the import');
    await w.wording('Import backup, imported');
    await w.screenshot('import-done');

    // The same file again, from the disk: refused, and the earlier "is imported" is gone.
    await chooseFile(w, backup);
    const exists = page.getByText(`The account ${alice} is already set up on this device.`);
    await w.seen(exists, 'the refusal of a second import');
    await w.noneOf([`The backup of ${alice} is imported`], 'the refusal');
    await w.screenshot('import-exists');

    // Next step from the result: enable (after a reload the result is shown again).
    await page.reload();
    await w.seen(imported, 'the import result after a reload');
    await w.tap(page.getByRole('button', { name: `Enable ${alice}` }), 'Enable');
    await w.seen(page.getByText('The account is enabled and connects now.'), 'enabled');
    await w.screen('Accounts');
    await w.seen(page.getByText('Online', { exact: true }), 'the account online');
    await w.screenshot('accounts-online');

    // --- Chats -------------------------------------------------------------------------------------
    await w.screen('Chats');
    const chat = page.getByRole('button', { name: new RegExp(bob) });
    await w.seen(chat, 'the chat');
    await page.getByText(LONG_CONTACT).first().waitFor();
    // In every row, the name (however long) and the time of the last message do not overlap.
    const overlaps = await page.$$eval('.chat', (rows) =>
      rows.flatMap((row) => {
        const nameEl = row.querySelector('.chat-name');
        const name = nameEl?.getBoundingClientRect();
        const time = row.querySelector('.chat-time')?.getBoundingClientRect();
        if (!nameEl || !name || !time) return [];
        // A name wider than its box runs under the time.
        if (nameEl.scrollWidth > nameEl.clientWidth + 1) return [row.textContent ?? ''];
        const apart =
          name.right <= time.left ||
          time.right <= name.left ||
          name.bottom <= time.top ||
          time.bottom <= name.top;
        return apart ? [] : [row.textContent ?? ''];
      }),
    );
    assert.deepEqual(overlaps, [], `${width}px: names and times do not overlap`);
    await w.wording('Chats');
    await w.screenshot('chats');
    await w.tap(chat, 'the chat');
    await w.seen(page.getByText('Did the move work?'), 'the last messages');
    await w.wording('Conversation');
    const composer = page.getByRole('textbox', { name: 'Message' });
    await w.tap(composer, 'the message field');
    await composer.fill('Made it to the new phone.');
    await w.tap(page.getByRole('button', { name: 'Send' }), 'Send');
    await w.seen(
      page.locator('.message.out', { hasText: 'Made it to the new phone.' }),
      'the message sent',
    );
    await w.screenshot('conversation');
    await w.tap(page.getByRole('button', { name: '← Chats' }), 'back to the chats');

    // --- Export, with the default format -----------------------------------------------------------
    await w.screen('Export');
    await w.screenshot('export');
    await w.tap(page.getByRole('button', { name: 'Export' }), 'Export');
    await w.seen(page.getByRole('heading', { name: 'The export is ready' }), 'the export');
    await w.noneOf(['Working…'], 'the export finished');
    const archive = page.getByRole('link', { name: /^Download all as one file/ });
    await w.seen(archive, 'the archive download');
    assert.equal(await page.getByRole('link', { name: /^Download .*\.js$/ }).count(), 0);
    const [zip] = await Promise.all([page.waitForEvent('download'), w.tap(archive, 'the archive')]);
    const zipPath = join(dir, 'export.zip');
    await zip.saveAs(zipPath);
    assert.equal(readFileSync(zipPath).subarray(0, 4).toString('latin1'), 'PK\u0003\u0004');
    await w.wording('Export, ready');
    await w.screenshot('export-done');
  } finally {
    await newApp.close();
  }
}

async function chooseFile(w: Walk, path: string): Promise<void> {
  const [chooser] = await Promise.all([
    w.page.waitForEvent('filechooser'),
    w.tap(w.page.getByText('Choose a backup file…'), 'Choose a backup file'),
  ]);
  await chooser.setFiles(path);
}

test(
  'a newcomer walks every screen at 1280 px and at 375 px: outcomes in view, controls tappable',
  { timeout: 300_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-newcomer-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const server = await startProsody();
    t.after(() => server.stop());
    await server.register('alice', PASSWORD);
    await server.register('bob', 'bob-pw');
    const dav = await startWebdav();
    t.after(() => dav.stop());
    const browser = await launchChromium();
    t.after(() => browser.close());
    for (const width of [1280, 375]) mkdirSync(join(dav.dir, `phone-${width}`));
    const world = { dir, server, dav, browser };
    // FERRY_WALK=375 walks one width only (while working on it).
    for (const [width, height] of [
      [1280, 900],
      [375, 740],
    ] as const) {
      if (process.env.FERRY_WALK && process.env.FERRY_WALK !== String(width)) continue;
      await walk(world, width, height);
    }
  },
);
