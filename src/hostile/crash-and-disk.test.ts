// Crash and disk: what ferry leaves on disk must be private and complete — the profile database
// 0600 whatever the umask, nothing half-written left behind after a kill.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { addAccount } from '../store/accounts.js';
import { openProfile, profileDatabasePath } from '../store/profile.js';
import { createBackups } from '../migration/create-backup.js';
import { tempDir, tempProfile } from '../migration/testing/fixtures.js';

function mode(path: string): string {
  return (statSync(path).mode & 0o777).toString(8);
}

test('ferry.db, its WAL and SHM files are 0600 in an existing 0755 folder, whatever the umask', () => {
  const t = tempDir('modes');
  const umask = process.umask(0);
  try {
    for (const [i, mask] of [0o000, 0o022, 0o002].entries()) {
      process.umask(mask);
      const dir = join(t.dir, `profile-${i}`);
      mkdirSync(dir, { mode: 0o755 });
      chmodSync(dir, 0o755);
      const profile = openProfile(dir);
      try {
        addAccount(profile.db, { jid: `kim${i}@example.org`, password: 'secret' });
        const db = profileDatabasePath(dir);
        for (const file of [db, `${db}-wal`, `${db}-shm`]) {
          assert.ok(existsSync(file), `${basename(file)} exists while the profile is open`);
          assert.equal(mode(file), '600', `${basename(file)} with umask ${mask.toString(8)}`);
        }
      } finally {
        profile.close();
      }
    }
    // A database an older ferry left 0644 is made private when the profile is opened.
    const old = join(t.dir, 'profile-0');
    chmodSync(profileDatabasePath(old), 0o644);
    openProfile(old).close();
    assert.equal(mode(profileDatabasePath(old)), '600');
  } finally {
    process.umask(umask);
    t.cleanup();
  }
});

test("a killed backup create --with-media leaves its companion's temp file; the next plain backup removes it", async () => {
  const t = tempProfile('companion-leftover');
  try {
    addAccount(t.profile.db, { jid: 'kim@example.org', password: 'secret' });
    const out = join(t.dir, 'out');
    const first = await createBackups(t.profile, { outDir: out });
    const file = first.written[0]?.file ?? '';
    // What the companion writer's temporary file is called while it is written (then killed).
    const leftover = join(dirname(file), `.${basename(file)}.media.0123456789ab.tmp`);
    writeFileSync(leftover, 'half a companion');
    // Somebody else's file of a similar name is left alone.
    const other = join(out, '.notes.media.0123456789ab.tmp');
    writeFileSync(other, 'not ferry’s');
    await createBackups(t.profile, { outDir: out, now: new Date(Date.now() + 60_000) });
    assert.ok(!existsSync(leftover), 'the leftover is gone');
    assert.ok(existsSync(other));
    assert.ok(!readdirSync(out).some((n) => n.endsWith('.tmp') && n !== basename(other)));
  } finally {
    t.cleanup();
  }
});
