// A backup or an import that is killed, or runs out of disk, leaves the profile and the backup
// folder as they were. Real child processes (SIGKILL) and a real full file system (a tiny tmpfs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { addAccount } from '../store/accounts.js';
import { isDiskFullError } from '../testing/disk-full.js';
import { openProfile } from '../store/profile.js';
import { createBackups } from './create-backup.js';
import { importBackup } from './import-backup.js';
import { spawnFlowWorker } from './testing/ferry-cli.js';
import { dumpWholeDatabase, listFolder, tempDir, tempProfile } from './testing/fixtures.js';
import { addSyntheticAccount } from './testing/synthetic-profile.js';

const MESSAGES = 60_000;

/** Waits until the child has reported at least `rows` rows, then kills it with SIGKILL. */
async function killAfterRows(child: ChildProcess, rows: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the worker reported no progress')), 60_000);
    let buffered = '';
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout?.on('data', (d: Buffer) => {
      buffered += d.toString();
      const done = buffered
        .split('\n')
        .some((line) => Number(/^rows (\d+)$/.exec(line)?.[1] ?? 0) >= rows);
      if (done) {
        clearTimeout(timer);
        child.kill('SIGKILL');
        resolve();
      }
    });
    child.once('exit', () => {
      clearTimeout(timer);
      reject(new Error(`the worker ended before it was killed: ${buffered} ${stderr}`));
    });
  });
  if (child.exitCode === null && child.signalCode === null) {
    await new Promise((resolve) => child.once('exit', resolve));
  }
  assert.equal(child.signalCode, 'SIGKILL', 'the worker was killed, not finished');
}

/** Hidden temporary files of the format writer are not backups; everything else must be unchanged. */
function visibleFiles(dir: string): string[] {
  return listFolder(dir).filter((line) => !line.startsWith('.'));
}

test('a backup killed in the middle leaves no backup file; the next backup cleans up', async () => {
  const { profile, dir, cleanup } = tempProfile('kill-create');
  try {
    addSyntheticAccount(profile, 'kim@example.org', 'kim-pw', MESSAGES);
    const out = join(dir, 'out');
    mkdirSync(out);
    await createBackups(profile, { outDir: out, now: new Date(2026, 0, 1, 10, 0) });
    const folderBefore = listFolder(out);
    const dbBefore = dumpWholeDatabase(profile);

    const child = spawnFlowWorker(['create', profile.dir, out]);
    await killAfterRows(child, 4000);

    assert.deepEqual(visibleFiles(out), folderBefore, 'no new or changed backup file');
    assert.deepEqual(dumpWholeDatabase(profile), dbBefore);
    const leftovers = readdirSync(out).filter((n) => n.startsWith('.'));
    assert.ok(leftovers.every((n) => /^\.kim@example\.org\..*\.ceb\.[0-9a-f]{12}\.tmp$/.test(n)));
    // The profile is not left locked, and the next backup removes the killed one's temporary file.
    await createBackups(profile, { outDir: out, now: new Date(2026, 0, 2, 10, 0) });
    assert.deepEqual(readdirSync(out).sort(), [
      'kim@example.org.2026-01-01-10-00.ceb',
      'kim@example.org.2026-01-02-10-00.ceb',
    ]);
  } finally {
    cleanup();
  }
});

test('an import killed in the middle leaves the profile exactly as it was', async () => {
  const source = tempProfile('kill-source');
  const target = tempProfile('kill-target');
  try {
    addSyntheticAccount(source.profile, 'kim@example.org', 'kim-pw', MESSAGES);
    const backup = (await createBackups(source.profile, { keep: 1 })).written[0]?.file ?? '';
    addAccount(target.profile.db, { jid: 'lee@example.org', password: 'lee-pw' });
    const dbBefore = dumpWholeDatabase(target.profile);
    const folderBefore = listFolder(join(source.profile.dir, 'Backup'));
    target.profile.close();

    const child = spawnFlowWorker(['import', target.profile.dir, backup, 'kim-pw']);
    await killAfterRows(child, 4000);

    const reopened = openProfile(target.profile.dir);
    try {
      assert.deepEqual(dumpWholeDatabase(reopened), dbBefore);
      assert.deepEqual(listFolder(join(source.profile.dir, 'Backup')), folderBefore);
      // And the import can simply be run again.
      const result = await importBackup(reopened, backup, 'kim-pw');
      assert.equal(result.messages, MESSAGES);
    } finally {
      reopened.close();
    }
  } finally {
    source.cleanup();
    target.cleanup();
  }
});

/** Mounts a tmpfs of `size` at `dir`; false when this machine doesn't allow it (not root). */
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

function unmount(dir: string): void {
  execFileSync('umount', [dir], { stdio: 'ignore' });
}

test('disk full while writing a backup: clear error, the folder keeps exactly what it had', async (t) => {
  const { profile, dir, cleanup } = tempProfile('full-create');
  const out = join(dir, 'usb-stick');
  mkdirSync(out);
  if (!mountTinyFs(out, '512k')) {
    cleanup();
    t.skip('mounting a tmpfs needs root');
    return;
  }
  try {
    addSyntheticAccount(profile, 'kim@example.org', 'kim-pw', MESSAGES);
    addAccount(profile.db, { jid: 'lee@example.org', password: 'lee-pw' });
    // A small backup of another account already on the stick.
    const pre = await createBackups(profile, { outDir: out, accounts: ['lee@example.org'] });
    assert.equal(pre.written.length, 1);
    const folderBefore = listFolder(out);
    const dbBefore = dumpWholeDatabase(profile);
    await assert.rejects(
      createBackups(profile, { outDir: out, accounts: ['kim@example.org'] }),
      (err: unknown) => err instanceof Error && 'code' in err && err.code === 'ENOSPC',
    );
    assert.deepEqual(listFolder(out), folderBefore, 'no half-written file, nothing removed');
    assert.deepEqual(dumpWholeDatabase(profile), dbBefore);
  } finally {
    unmount(out);
    cleanup();
  }
});

test('disk full while importing: the transaction is rolled back, the profile is as it was', async (t) => {
  const source = tempProfile('full-source');
  const t2 = tempDir('full-target');
  const mountPoint = join(t2.dir, 'small-disk');
  mkdirSync(mountPoint);
  if (!mountTinyFs(mountPoint, '2m')) {
    source.cleanup();
    t2.cleanup();
    t.skip('mounting a tmpfs needs root');
    return;
  }
  try {
    addSyntheticAccount(source.profile, 'kim@example.org', 'kim-pw', MESSAGES);
    const backup = (await createBackups(source.profile, { keep: 1 })).written[0]?.file ?? '';
    const local = join(t2.dir, 'kim.ceb');
    copyFileSync(backup, local);
    const profile = openProfile(join(mountPoint, 'profile'));
    try {
      addAccount(profile.db, { jid: 'lee@example.org', password: 'lee-pw' });
      const before = dumpWholeDatabase(profile);
      await assert.rejects(importBackup(profile, local, 'kim-pw'), isDiskFullError);
      assert.deepEqual(dumpWholeDatabase(profile), before);
      // As the CLI imports: on the profile's connection, with the rollback journal.
      await assert.rejects(
        importBackup(profile, local, 'kim-pw', { soleUser: true }),
        isDiskFullError,
      );
      assert.deepEqual(dumpWholeDatabase(profile), before);
      assert.equal(profile.db.pragma('journal_mode', { simple: true }), 'wal');
    } finally {
      profile.close();
    }
  } finally {
    unmount(mountPoint);
    source.cleanup();
    t2.cleanup();
  }
});
