import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { launchChromium, saveScreenshot } from '../testing/chromium.js';
import type { DbRow } from '../store/backup-rows.js';
import { AccountReader, listDatabaseAccounts } from './account-reader.js';
import { exportAccountAsHtml } from './html-export.js';
import { renderAccount } from './render-account.js';
import { createExportDatabase, fillExportDatabase } from './staging-database.js';
import { fixtureDatabase, GOLDEN_EXPORTED_AT, GOLDEN_TZ } from './testing/fixtures.js';
import { ZonedClock } from './zoned-time.js';

// A 1×1 PNG, standing in for a photo copied beside the export.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

/** Exports the fixture as HTML (plus an undecryptable message and a photo beside the export). */
async function exportFixture(name: string, out: string): Promise<string> {
  const f = await fixtureDatabase(name);
  try {
    const account = listDatabaseAccounts(f.db)[0];
    assert.ok(account);
    if (name === 'v2-alice') {
      f.db
        .prepare(
          `INSERT INTO messages (uuid, conversationUuid, timeSent, counterpart, body, encryption, status, type)
           VALUES ('omemo-failed-1', '34720411-6228-449b-86b9-011088cdc13b', 1577940000000,
                   'jonas_rossi@conversations.im/gajim.HER6GZSN', NULL, 7, 0, 0)`,
        )
        .run();
      writeFileSync(join(out, 'IMG_20234264_385755.jpg'), PNG);
    }
    const result = renderAccount(f.db, account, {
      format: 'html',
      outDir: out,
      clock: new ZonedClock(GOLDEN_TZ),
      mediaRoots: [],
      exportedAt: GOLDEN_EXPORTED_AT,
    });
    return result.path;
  } finally {
    f.cleanup();
  }
}

async function shot(page: Page, name: string): Promise<void> {
  await saveScreenshot(page, `export-${name}`);
}

test('the HTML export works in Chromium from disk: index, conversation pages, search', async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'ferry-html-'));
  const browser = await launchChromium();
  t.after(async () => {
    await browser.close();
    rmSync(out, { recursive: true, force: true });
  });
  const site = await exportFixture('v2-alice', out);
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  const requests: string[] = [];
  context.on('request', (r) => {
    if (!r.url().startsWith('file:')) requests.push(r.url());
  });
  const errors: string[] = [];
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });

  await t.test('index lists every conversation with count and kind', async () => {
    await page.goto(pathToFileURL(join(site, 'index.html')).href);
    const items = page.locator('ul.conversations a.conversation');
    assert.equal(await items.count(), 6);
    const titles = await page.locator('.conversation .title').allInnerTexts();
    const text = titles.join('\n');
    for (const name of [
      'Linux53 room',
      'team-ops@chat.404.city',
      'Jonas_rossi',
      'δημήτρης@jabber.fr',
      'ivan_schmidt@éxample.fr',
      'zoe2002@404.city',
    ]) {
      assert.ok(text.includes(name), `index lists ${name}`);
    }
    assert.equal(await page.locator('a.conversation[data-kind="group"]').count(), 2);
    const linux = page.locator('a.conversation', { hasText: 'Linux53 room' });
    assert.match(await linux.innerText(), /9 messages/);
    await shot(page, 'index');
  });

  await t.test(
    'a group conversation shows its messages in order, with nicknames and days',
    async () => {
      await page.locator('a.conversation', { hasText: 'Linux53 room' }).click();
      await page.waitForSelector('.msg');
      const times = await page
        .locator('.msg time')
        .evaluateAll((els) => els.map((e) => Date.parse(e.getAttribute('datetime') ?? '')));
      assert.equal(times.length, 9);
      assert.deepEqual(
        times,
        [...times].sort((a, b) => a - b),
      );
      assert.equal(await page.locator('h2.day').count(), 2);
      const nicks = await page.locator('.msg .nick').allInnerTexts();
      assert.deepEqual(nicks, ['Jürgen1974', 'مريم1993 🍕', 'Jürgen1974']);
      // Sent and received are told apart.
      assert.equal(await page.locator('.msg.sent').count(), 6);
      assert.equal(await page.locator('.msg.received').count(), 3);
      // A body that looks like SQL stays text; the file has its name.
      assert.ok(
        (await page.locator('.msg .body').allInnerTexts()).includes("'); DROP TABLE messages; --"),
      );
      assert.ok(
        (await page.locator('.file-name').allInnerTexts()).includes('Bob\'s "report" (final).pdf'),
      );
      await shot(page, 'conversation-group');
      await page.setViewportSize({ width: 390, height: 844 });
      await shot(page, 'conversation-group-phone');
      await page.setViewportSize({ width: 1100, height: 800 });
    },
  );

  await t.test('a one-to-one page escapes HTML, shows undecryptable and local files', async () => {
    await page.goto(pathToFileURL(join(site, 'index.html')).href);
    await page.locator('a.conversation', { hasText: 'Jonas_rossi' }).click();
    await page.waitForSelector('.msg');
    const bodies = await page.locator('.msg .body').allInnerTexts();
    assert.ok(bodies.includes("<b>bold</b> & &amp; <script>alert('x')</script>"));
    assert.equal(await page.locator('.msg b, .msg script').count(), 0);
    assert.ok(bodies.includes("it's\nnot 'over'\n'yet'\n'"));
    assert.ok(bodies.includes('מה טוב טוב טוב שלומך שלומך מה בוקר כן'));
    assert.equal(await page.locator('.msg .undecryptable').count(), 1);
    assert.match(await page.locator('.msg .undecryptable').innerText(), /unable to decrypt/);
    // The photo copied beside the export is linked and shown.
    const img = page.locator('.msg .file img');
    assert.equal(await img.count(), 1);
    assert.equal(await img.evaluate((e) => (e as HTMLImageElement).naturalWidth), 1);
    assert.match(
      await page.locator('.msg a.file-name.local').innerText(),
      /IMG_20234264_385755\.jpg/,
    );
    await shot(page, 'conversation-one-to-one');
  });

  await t.test('deleted and edited messages are marked', async () => {
    await page.goto(pathToFileURL(join(site, 'index.html')).href);
    await page.locator('a.conversation', { hasText: 'team-ops@chat.404.city' }).click();
    await page.waitForSelector('.msg');
    assert.equal(await page.locator('.msg details.deleted').count(), 1);
    assert.equal(await page.locator('.msg .flag.edited').count(), 1);
    await shot(page, 'conversation-edits');
  });

  await t.test('search finds a message offline and links to it', async () => {
    await page.goto(pathToFileURL(join(site, 'index.html')).href);
    await page.fill('form.search input', 'drop table');
    await page.press('form.search input', 'Enter');
    await page.waitForSelector('ol.results li');
    const results = page.locator('ol.results li');
    assert.equal(await results.count(), 1);
    assert.match(await results.innerText(), /Linux53 room/);
    assert.match(await page.locator('#summary').innerText(), /1 message found/);
    await shot(page, 'search');
    await results.locator('a').click();
    await page.waitForSelector('.msg:target');
    assert.equal(
      await page.locator('.msg:target .body').innerText(),
      "'); DROP TABLE messages; --",
    );
    // A query nothing matches says so.
    await page.goto(
      `${pathToFileURL(join(site, 'search.html')).href}?q=${encodeURIComponent('no such words')}`,
    );
    await page.waitForFunction(() =>
      document.getElementById('summary')?.textContent?.startsWith('No '),
    );
  });

  await t.test('nothing was loaded from the network and no script failed', () => {
    assert.deepEqual(requests, []);
    assert.deepEqual(errors, []);
  });

  await context.close();
});

test('the unicode fixture renders: RTL, emoji, NUL removed', async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'ferry-html-'));
  const browser = await launchChromium();
  t.after(async () => {
    await browser.close();
    rmSync(out, { recursive: true, force: true });
  });
  const site = await exportFixture('v2-unicode', out);
  const page = await browser.newPage();
  await page.goto(pathToFileURL(join(site, 'index.html')).href);
  assert.equal(await page.locator('a.conversation').count(), 4);
  await page.locator('a.conversation', { hasText: 'мария2008@blabber.im' }).click();
  await page.waitForSelector('.msg');
  const bodies = await page.locator('.msg .body').allInnerTexts();
  assert.ok(bodies.includes('beforeafter'));
  assert.ok(bodies.includes('مرحبا بالعالم! كيف حالك؟ ١٢٣ and 123'));
  for (const file of readdirSync(join(site, 'chats'))) {
    assert.ok(!readFileSync(join(site, 'chats', file), 'utf8').includes('\u0000'), file);
  }
  await shot(page, 'conversation-unicode');
});

test('a long conversation is split into pages and search reaches every index file', async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'ferry-html-'));
  const browser = await launchChromium();
  t.after(async () => {
    await browser.close();
    rmSync(out, { recursive: true, force: true });
  });
  const db = createExportDatabase(join(out, 'scratch.sqlite'));
  const account = 'acc-1';
  function* rows(): Generator<DbRow> {
    yield { table: 'accounts', values: { uuid: account, username: 'kim', server: 'example.org' } };
    yield {
      table: 'conversations',
      values: { uuid: 'conv-1', accountUuid: account, contactJid: 'lee@example.net', mode: 0n },
    };
    for (let i = 0; i < 2500; i++) {
      yield {
        table: 'messages',
        values: {
          uuid: `msg-${i}`,
          conversationUuid: 'conv-1',
          timeSent: BigInt(Date.UTC(2021, 0, 1) + i * 600_000),
          counterpart: 'lee@example.net',
          body: i === 2345 ? 'the needle-xyz is here' : `message number ${i}`,
          status: BigInt(i % 2 === 0 ? 0 : 2),
          type: 0n,
          encryption: 0n,
        },
      };
    }
  }
  await fillExportDatabase(db, rows(), { formatVersion: 2, withSecrets: false });
  const summary = listDatabaseAccounts(db)[0];
  assert.ok(summary);
  const site = join(out, 'site');
  exportAccountAsHtml(
    new AccountReader(db, summary),
    join(site, 'kim@example.org'),
    new ZonedClock('UTC'),
    {
      pageSize: 1000,
      searchChunkSize: 1000,
    },
  );
  db.close();
  const dir = join(site, 'kim@example.org');
  assert.deepEqual(readdirSync(join(dir, 'chats')).sort(), ['1-2.html', '1-3.html', '1.html']);
  assert.deepEqual(readdirSync(join(dir, 'search')).sort(), ['1-1.js', '1-2.js', '1-3.js']);

  const page = await browser.newPage();
  await page.goto(pathToFileURL(join(dir, 'chats', '1.html')).href);
  assert.equal(await page.locator('.msg').count(), 1000);
  assert.match(await page.locator('nav.pages').first().innerText(), /page 1 of 3/);
  await page.locator('nav.pages').first().getByText('newest »').click();
  await page.waitForURL(/1-3\.html$/);
  assert.equal(await page.locator('.msg').count(), 500);
  assert.equal(await page.locator('.msg .body').last().innerText(), 'message number 2499');

  await page.goto(`${pathToFileURL(join(dir, 'search.html')).href}?q=needle-xyz`);
  await page.waitForSelector('ol.results li');
  assert.equal(await page.locator('ol.results li').count(), 1);
  await page.locator('ol.results li a').click();
  await page.waitForURL(/1-3\.html#m-msg-2345$/);
  assert.equal(await page.locator('.msg:target .body').innerText(), 'the needle-xyz is here');
  await shot(page, 'long-conversation');
});
