/**
 * Real Chromium (Debian's `/usr/bin/chromium`) through playwright-core, for the web app's tests.
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
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Where the test run saves screenshots of every screen. */
export const SCREENSHOT_DIR = join('test-output', 'screenshots');

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `web-${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
