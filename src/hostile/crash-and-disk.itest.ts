// Crash and disk, through the command line: a full disk during `export` and `decrypt` gets the
// same clean message as `backup create` and `import`, and leaves nothing half-written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runFerry } from '../cli/testing/run-ferry.js';
import { tempDir } from '../migration/testing/fixtures.js';
import { variedAccountRows, writtenBackup } from './testing/backups.js';

function mountTinyFs(dir: string, size: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir], {
      stdio: 'ignore',
    });
    return true;
  } catch {
    return false;
  }
}

test('disk full during decrypt and export: "the disk is full", exit 1, nothing left on the disk', async (t) => {
  const dir = tempDir('full-disk');
  const stick = join(dir.dir, 'stick');
  mkdirSync(stick);
  if (!mountTinyFs(stick, '64k')) {
    dir.cleanup();
    t.skip('mounting a tmpfs needs root');
    return;
  }
  try {
    const file = join(dir.dir, 'kim.ceb');
    const bytes = await writtenBackup(variedAccountRows('kim@example.org', 5_000), {
      jid: 'kim@example.org',
      password: 'kim-pw',
    });
    writeFileSync(file, bytes);
    const env = { FERRY_PASSWORD: 'kim-pw' };
    const runs = {
      decrypt: await runFerry(['decrypt', file, '--out', join(stick, 'kim.jsonl')], env),
      export: await runFerry(['export', file, '--to', 'txt', '--out', join(stick, 'chats')], env),
    };
    for (const [name, r] of Object.entries(runs)) {
      assert.equal(r.code, 1, `${name}: ${r.stderr}`);
      assert.match(r.stderr, /^ferry: the disk is full\n {2}hint: Free some space/, name);
      assert.doesNotMatch(r.stderr, /bug in ferry|unexpected error/, name);
    }
    const files = readdirSync(stick, { recursive: true, withFileTypes: true }).filter((e) =>
      e.isFile(),
    );
    assert.deepEqual(files, [], 'nothing half-written on the stick');
  } finally {
    execFileSync('umount', [stick], { stdio: 'ignore' });
    dir.cleanup();
  }
});
