/**
 * Real Chromium (Debian's `/usr/bin/chromium`) through playwright-core, for the tests of every
 * interface that renders pages (the web app, the HTML export).
 *   const browser = await launchChromium();
 *   t.after(() => browser.close());
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.FERRY_CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      // Without these, Chromium keeps trying to reach Google's hosts on this closed network.
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Where the test run saves screenshots of every screen. */
export const SCREENSHOT_DIR = join('test-output', 'screenshots');

/** Saves a full-page screenshot as `test-output/screenshots/NAME.png`; returns its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
