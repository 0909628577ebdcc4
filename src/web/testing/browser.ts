/**
 * Real Chromium for the web app's tests (shared with the HTML export's tests).
 *   const browser = await launchChromium();
 *   t.after(() => browser.close());
 */
import type { Page } from 'playwright-core';
import { saveScreenshot } from '../../testing/chromium.js';

export { launchChromium, SCREENSHOT_DIR } from '../../testing/chromium.js';

/** Saves `test-output/screenshots/web-NAME.png`. */
export function screenshot(page: Page, name: string): Promise<string> {
  return saveScreenshot(page, `web-${name}`);
}
