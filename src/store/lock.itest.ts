import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireProfileLock, withProfileLock } from './lock.js';
import { ProfileBusyError } from './errors.js';

test('a second operation in the same process is refused while the first runs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-lock-'));
  try {
    await withProfileLock({ dir }, 'backup create', async () => {
      await assert.rejects(
        withProfileLock({ dir }, 'backup import', () => 1),
        (err: unknown) =>
          err instanceof ProfileBusyError &&
          /backup create/.test(err.message) &&
          err.code === 'busy',
      );
    });
    assert.equal(await withProfileLock({ dir }, 'backup import', () => 42), 42);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a lock held by another process is refused, and freed when that process is killed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-lock-'));
  const script = `
    import { acquireProfileLock } from ${JSON.stringify(new URL('./lock.ts', import.meta.url).href)};
    acquireProfileLock({ dir: ${JSON.stringify(dir)} }, 'backup import');
    process.stdout.write('locked\\n');
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('child did not take the lock')), 20_000);
      child.stdout.on('data', (d: Buffer) => {
        if (d.toString().includes('locked')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    assert.throws(
      () => acquireProfileLock({ dir }, 'backup create'),
      (err: unknown) =>
        err instanceof ProfileBusyError &&
        err.holder?.pid === child.pid &&
        err.holder?.operation === 'backup import',
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    const lock = acquireProfileLock({ dir }, 'backup create');
    lock.release();
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
