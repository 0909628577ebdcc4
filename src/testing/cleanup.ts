/**
 * Clean-up steps of a test, run last-in first-out whatever happened (engines stop before their
 * profiles close, servers after their clients), each one even when an earlier one threw.
 *
 *   const c = new Cleanup(t);
 *   const dir = c.tempDir('ferry-x-');
 *   c.after(() => server.stop());
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class Cleanup {
  private readonly steps: (() => unknown)[] = [];
  constructor(t: { after(fn: () => unknown): void }) {
    t.after(async () => {
      for (const step of this.steps.reverse()) {
        try {
          await step();
        } catch {
          // keep cleaning up
        }
      }
    });
  }
  after(fn: () => unknown): void {
    this.steps.push(fn);
  }
  /** A temporary folder, removed at the end. */
  tempDir(prefix: string): string {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    this.after(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  }
}
