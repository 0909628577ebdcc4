/**
 * The whole move in real Chromium: create a backup on one profile (old device), import it on another
 * (new device) through the file picker with the password, enable the account against a real
 * Prosody, see the history and a new incoming message live, send one. Screenshots of every screen go
 * to test-output/screenshots/web-*.png.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { client, xml } from '@xmpp/client';
import type { Element } from '@xmpp/xml';
import { openProfile } from '../store/profile.js';
import { startProsody } from '../xmpp/testing/prosody.js';
import { startWebApp } from './server.js';
import { launchChromium, screenshot as saveScreenshot } from './testing/browser.js';
import { seedOldDevice } from './testing/seed.js';

/** Saves the screenshot and checks what every screen must have: each form control has a label. */
async function screenshot(page: Page, name: string): Promise<void> {
  await saveScreenshot(page, name);
  const unlabelled = await page.$$eval('input, select, textarea, button', (els) =>
    els
      .filter((e) => {
        const labels = (e as HTMLInputElement).labels;
        const named =
          e.getAttribute('aria-label') || (e.tagName === 'BUTTON' && e.textContent?.trim());
        return !named && (!labels || labels.length === 0);
      })
      .map((e) => e.outerHTML.slice(0, 80)),
  );
  assert.deepEqual(unlabelled, [], `${name}: every control has a label`);
}

const PASSWORD = 'old phone pässword 🔑';

async function open(page: Page, url: string, screen: string): Promise<void> {
  await page.goto(url);
  await page.getByRole('link', { name: screen, exact: true }).click();
  await page.getByRole('heading', { level: 2, name: screen }).waitFor();
}

test(
  'the move through the browser: backup, import with password, enable, chat',
  { timeout: 120_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-web-e2e-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const server = await startProsody();
    t.after(() => server.stop());
    await server.register('alice', PASSWORD);
    await server.register('bob', 'bob-pw');
    const alice = `alice@${server.domain}`;
    const bob = `bob@${server.domain}`;

    // The old device: a profile with alice's account and some history.
    const oldDir = join(dir, 'old');
    const seeded = openProfile(oldDir);
    seedOldDevice(seeded.db, {
      jid: alice,
      password: PASSWORD,
      ...server.accountOptions,
      peer: bob,
    });
    seeded.close();

    const browser = await launchChromium();
    t.after(() => browser.close());
    const page = await browser.newPage({
      viewport: { width: 1100, height: 900 },
      acceptDownloads: true,
    });
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));

    // --- Old device: Create backup -----------------------------------------------------------------
    const oldApp = await startWebApp({ profileDir: oldDir, connect: false, home: dir });
    t.after(() => oldApp.close());
    await page.goto(oldApp.url);
    await page.getByRole('heading', { level: 2, name: 'Accounts' }).waitFor();
    await page.getByText(alice).waitFor();
    await page.getByText('Enabled, not connected yet', { exact: true }).waitFor();
    await screenshot(page, 'accounts-old-device');

    await page.getByRole('link', { name: 'Create backup', exact: true }).click();
    await page.getByRole('heading', { level: 2, name: 'Create backup' }).waitFor();
    const start = page.getByRole('button', { name: 'Create backup' });
    assert.equal(await start.isDisabled(), true, 'the checklist comes first');
    await page.getByLabel(/Make sure that you know the password/).check();
    await page.getByRole('button', { name: 'Deactivate all accounts' }).click();
    await page.getByRole('button', { name: 'All accounts are deactivated' }).waitFor();
    await page.getByText('Disabled', { exact: true }).waitFor();
    await page.getByLabel('Format 1 — older Conversations (up to 2.12)').check();
    await page.getByLabel('Format 2 — Conversations 2.13 and later (recommended)').check();
    await screenshot(page, 'create-backup-checklist');
    await start.click();
    await page.getByRole('heading', { name: 'The backup is finished' }).waitFor();
    assert.equal(
      await page.locator('progress').count(),
      0,
      'no progress bar left showing its last phase once the backup is finished',
    );
    const link = page.getByRole('link', { name: /^Download alice@/ });
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const fileName = download.suggestedFilename();
    assert.match(fileName, /^alice@ferry\.test\.\d{4}-\d{2}-\d{2}-\d{2}-\d{2}\.ceb$/);
    const backupPath = join(dir, 'moved', fileName);
    await download.saveAs(backupPath);
    assert.ok(statSync(backupPath).size > 100);
    assert.ok(
      existsSync(join(oldDir, 'Backup', fileName)),
      'the file is in the profile’s Backup folder',
    );
    await screenshot(page, 'create-backup-done');

    // --- New device: Import backup -------------------------------------------------------------------
    const newDir = join(dir, 'new');
    // A copy also lies where Conversations' files land (~/Download/Conversations/Backup).
    const home = join(dir, 'home');
    mkdirSync(join(home, 'Download', 'Conversations', 'Backup'), { recursive: true });
    copyFileSync(backupPath, join(home, 'Download', 'Conversations', 'Backup', fileName));
    const newApp = await startWebApp({ profileDir: newDir, home });
    t.after(() => newApp.close());
    await open(page, newApp.url, 'Import backup');
    await page.getByText(/do not use the restore backup feature in an attempt to clone/).waitFor();
    const found = page.getByRole('table', { name: 'Backup files found on this device' });
    await found
      .getByRole('button', { name: `Import the backup of ${alice}`, exact: false })
      .waitFor();
    await screenshot(page, 'import-found');
    const choose = async (): Promise<void> => {
      const [chooser] = await Promise.all([
        page.waitForEvent('filechooser'),
        page.getByText('Choose a backup file…').click(),
      ]);
      await chooser.setFiles(backupPath);
    };
    await choose();
    const dialog = page.getByRole('dialog', { name: 'Enter the password' });
    await dialog.waitFor();
    await dialog.getByLabel('Account password').fill('not the password');
    await screenshot(page, 'import-password');
    await dialog.getByRole('button', { name: 'Import' }).click();
    // A wrong password: said in the user's words, and the dialog asks again.
    await dialog.getByText('Wrong password: this backup does not open with it.').waitFor();
    await screenshot(page, 'import-wrong-password');
    await dialog.getByLabel('Account password').fill(PASSWORD);
    await dialog.getByRole('button', { name: 'Import' }).click();
    await page.getByRole('heading', { name: `The backup of ${alice} is imported` }).waitFor();
    await page.getByText('4 messages').waitFor();
    await page.getByText('1 conversation', { exact: true }).waitFor();
    await screenshot(page, 'import-done');

    // The same file again: the account is here now, so it is marked and can't be chosen (no clone).
    await page.reload();
    await found.getByText('Account already set up here').waitFor();
    assert.equal(await found.getByRole('button').count(), 0);
    await choose();
    await page.getByText(`The account ${alice} is already set up on this device.`).waitFor();

    // Next step: enable the account; it connects to the real server.
    await page.reload();
    await page.getByRole('heading', { name: `The backup of ${alice} is imported` }).waitFor(); // reattached
    await page.getByRole('button', { name: `Enable ${alice}` }).click();
    await page.getByText('The account is enabled and connects now.').waitFor();
    await page.getByRole('link', { name: 'Accounts', exact: true }).click();
    await page.getByText('Online', { exact: true }).waitFor({ timeout: 20_000 });
    await screenshot(page, 'accounts-online');

    // --- Chats ---------------------------------------------------------------------------------------
    await page.getByRole('link', { name: 'Chats', exact: true }).click();
    await page.getByRole('heading', { level: 2, name: 'Chats' }).waitFor();
    await page.getByRole('button', { name: new RegExp(bob) }).waitFor();
    await screenshot(page, 'chats');
    await page.getByRole('button', { name: new RegExp(bob) }).click();
    await page.getByText('Hi! Are you moving to the new phone today?').waitFor();
    await page.getByText('Unable to decrypt').first().waitFor();
    assert.equal(
      await page.getByText('ciphertext').count(),
      0,
      'an undecryptable body is not shown',
    );
    await page.getByRole('separator').first().waitFor();
    await page.getByText('OMEMO encrypted').waitFor();
    await screenshot(page, 'conversation');

    // Bob (another client on the real server) writes: the message appears live.
    const bobClient = client({
      service: server.service,
      domain: server.domain,
      username: 'bob',
      password: 'bob-pw',
      resource: 'test',
    });
    const bobReceived: string[] = [];
    bobClient.on('stanza', (stanza: Element) => {
      const body = stanza.is('message') ? stanza.getChildText('body') : null;
      if (body) bobReceived.push(body);
    });
    bobClient.on('error', () => {});
    await bobClient.start();
    t.after(() => bobClient.stop().catch(() => {}));
    await bobClient.send(xml('presence'));
    await bobClient.send(
      xml(
        'message',
        { to: alice, type: 'chat', id: 'live-1' },
        xml('body', {}, 'Welcome back on the new device!'),
      ),
    );
    await page.getByText('Welcome back on the new device!').waitFor({ timeout: 15_000 });
    await screenshot(page, 'conversation-live');

    // Alice answers from the page; Bob gets it.
    await page.getByRole('textbox', { name: 'Message' }).fill('It worked — chats are all here.');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.locator('.message.out', { hasText: 'It worked — chats are all here.' }).waitFor();
    const deadline = Date.now() + 15_000;
    while (!bobReceived.includes('It worked — chats are all here.') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(bobReceived.includes('It worked — chats are all here.'), 'bob received the message');
    await screenshot(page, 'conversation-sent');

    // Back in the list: the last message and no unread count left.
    await page.getByRole('button', { name: '← Chats' }).click();
    await page.getByText('You: It worked — chats are all here.').waitFor();
    // A message arriving while the list is shown: it becomes the last message, with an unread count.
    await bobClient.send(
      xml('message', { to: alice, type: 'chat', id: 'live-2' }, xml('body', {}, 'Great, see you!')),
    );
    await page.getByLabel('1 unread').waitFor({ timeout: 15_000 });
    await page.getByText('Great, see you!').waitFor();
    await screenshot(page, 'chats-unread');

    // Export: the chats as web pages, downloadable.
    await page.getByRole('link', { name: 'Export', exact: true }).click();
    await page.getByRole('heading', { level: 2, name: 'Export' }).waitFor();
    await page.getByLabel(/Web pages \(HTML\)/).check();
    await page.getByRole('button', { name: 'Export' }).click();
    await page.getByRole('heading', { name: 'The export is ready' }).waitFor();
    await page.getByRole('link', { name: /^Download all as one file \(.*\.zip\)$/ }).waitFor();
    await screenshot(page, 'export');
    const [exported] = await Promise.all([
      page.context().waitForEvent('page'),
      page.getByRole('link', { name: 'Open the exported chats' }).click(),
    ]);
    await exported.waitForLoadState();
    assert.equal(await exported.evaluate(() => document.contentType), 'text/html');
    await exported.close();

    // Accounts: adding one whose server has no TLS (the tests' plaintext Prosody, without the
    // opt-in) is refused as not safe, with the reason and a hint, and nothing is sent.
    await page.getByRole('link', { name: 'Accounts', exact: true }).click();
    const addForm = page.locator('form', { hasText: 'Add an account' });
    await addForm.getByLabel('Address').fill(`carol@${server.domain}`);
    await addForm.getByLabel('Password').fill('not-registered');
    await addForm.getByText('Server settings (optional)').click();
    await addForm.getByLabel('Host name').fill('127.0.0.1');
    await addForm.getByLabel('Port').fill(String(server.port));
    await addForm.getByRole('button', { name: 'Add account' }).click();
    const carol = page.locator('li.account', { hasText: `carol@${server.domain}` });
    await carol.getByText('Refused: connection not safe').waitFor({ timeout: 15_000 });
    assert.match((await carol.locator('.why').textContent()) ?? '', /offers no encryption/);
    assert.match((await carol.locator('.hint').textContent()) ?? '', /--allow-plaintext-loopback/);
    await screenshot(page, 'accounts-refused-no-tls');
    await carol.getByRole('button', { name: `Disable carol@${server.domain}` }).click();
    await carol.getByText('Disabled', { exact: true }).waitFor();

    // Adding one with "Server settings (optional)" left closed works; its server can't be found
    // here (no network): words, a hint and when ferry tries again — not xmpp.js' raw error.
    await addForm.getByLabel('Address').fill('dave@nowhere.invalid');
    await addForm.getByLabel('Password').fill('pw');
    await addForm.getByText('Server settings (optional)').click(); // closes it again
    await addForm.getByRole('button', { name: 'Add account' }).click();
    const dave = page.locator('li.account', { hasText: 'dave@nowhere.invalid' });
    await dave.getByText('Server unreachable').waitFor({ timeout: 30_000 });
    assert.match((await dave.locator('.why').textContent()) ?? '', /does not resolve/);
    assert.match((await dave.locator('.hint').textContent()) ?? '', /ferry account set/);
    await dave.getByText(/next try in \d+ s/).waitFor();
    assert.doesNotMatch((await dave.textContent()) ?? '', /No compatible connection method/);
    await screenshot(page, 'accounts-unreachable-retry');
    await dave.getByRole('button', { name: 'Disable dave@nowhere.invalid' }).click();
    await dave.getByText('Disabled', { exact: true }).waitFor();

    // Narrow (phone-sized) window: the conversation stays usable.
    await page.setViewportSize({ width: 380, height: 740 });
    await page.getByRole('link', { name: 'Chats', exact: true }).click();
    await page.getByRole('button', { name: new RegExp(bob) }).click();
    await page.getByRole('textbox', { name: 'Message' }).waitFor();
    await screenshot(page, 'phone-conversation');

    assert.deepEqual(pageErrors, []);
  },
);
