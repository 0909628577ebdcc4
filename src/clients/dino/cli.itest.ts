/**
 * `ferry export --to dino` and `ferry backup import --from dino` as a person runs them: from a
 * Conversations backup (the OMEMO fixture, records made by libsignal-protocol-java) to a Dino home
 * and back into a profile, with the summaries; and bad input — a folder that is not empty, a
 * damaged home — each a one-line error with a hint and its exit code, nothing written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from '../../store/sqlite.js';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFerry } from '../../cli/testing/run-ferry.js';
import { dinoDbPath, dinoFilesDir, omemoDbPath } from './layout.js';
import { seedAccountWithMedia } from '../../migration/media/testing.js';
import { openProfile } from '../../store/profile.js';

const CEB = 'test-data/omemo/alice.v2.ceb';
const PASSWORD = 'alice-backup-password';

function scratch(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-dino-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('a Conversations backup to Dino and back: the summary, the keys, the history', async (t) => {
  const dir = scratch(t);
  const passwordFile = join(dir, 'pw');
  writeFileSync(passwordFile, `${PASSWORD}\n`);
  const home = join(dir, 'dino');
  const out = await runFerry([
    '--profile',
    join(dir, 'p'),
    'export',
    CEB,
    '--to',
    'dino',
    '--out',
    home,
    '--password-file',
    passwordFile,
  ]);
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stdout, /^Exported alice@example\.org for Dino into /);
  assert.match(out.stdout, /OMEMO sessions: 1\n/);
  assert.match(out.stdout, /OMEMO prekeys: 100\n/);
  assert.match(out.stdout, /HOME=.* dino-im/);
  const omemo = new Database(omemoDbPath(home), { readonly: true });
  assert.equal(omemo.prepare('SELECT device_id FROM identity').pluck().get(), 345823845);
  omemo.close();
  const dino = new Database(dinoDbPath(home), { readonly: true });
  const count = Number(dino.prepare('SELECT count(*) FROM message').pluck().get());
  dino.close();
  assert.ok(count > 0);

  // A second export into the same folder is refused: ferry never writes into a Dino home.
  const again = await runFerry([
    '--profile',
    join(dir, 'p'),
    'export',
    CEB,
    '--to',
    'dino',
    '--out',
    home,
    '--password-file',
    passwordFile,
  ]);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /is not empty/);

  const imported = await runFerry([
    '--profile',
    join(dir, 'p'),
    'backup',
    'import',
    '--from',
    'dino',
    home,
    '--json',
  ]);
  assert.equal(imported.code, 0, imported.stderr);
  const result = JSON.parse(imported.stdout) as {
    jid: string;
    counts: Record<string, number>;
    summary: { carried: { what: string; count: number }[] };
  };
  assert.equal(result.jid, 'alice@example.org');
  assert.equal(result.counts.messages, count);
  assert.equal(result.counts.sessions, 1);
  assert.equal(result.counts.prekeys, 100);
});

test('backup import --from dino: not a Dino home, or a damaged one, is refused and nothing imported', async (t) => {
  const dir = scratch(t);
  const profile = join(dir, 'p');
  const notHome = join(dir, 'empty');
  mkdirSync(notHome);
  const r1 = await runFerry(['--profile', profile, 'backup', 'import', '--from', 'dino', notHome]);
  assert.equal(r1.code, 4);
  assert.match(r1.stderr, /is not a Dino home/);
  const broken = join(dir, 'broken');
  mkdirSync(join(broken, '.local', 'share', 'dino'), { recursive: true });
  writeFileSync(dinoDbPath(broken), 'this is not SQLite');
  const r2 = await runFerry(['--profile', profile, 'backup', 'import', '--from', 'dino', broken]);
  assert.equal(r2.code, 4);
  assert.match(r2.stderr, /dino\.db is not a database SQLite can read/);
  assert.match(r2.stderr, /nothing was imported/);
  const list = await runFerry(['--profile', profile, 'account', 'list', '--json']);
  assert.deepEqual(JSON.parse(list.stdout || '[]'), []);
  assert.ok(!readdirSync(dir).some((f) => f.includes('ferry-partial')));
});

test('export --to dino from a backup with its media companion: the files land in Dino, no scratch left', async (t) => {
  const dir = scratch(t);
  const oldDevice = join(dir, 'old');
  const usb = join(dir, 'usb');
  const old = openProfile(oldDevice);
  const seeded = await seedAccountWithMedia(old.dir, old.db, { password: 'alice pw' });
  old.close();
  const made = await runFerry([
    '--profile',
    oldDevice,
    'backup',
    'create',
    '--with-media',
    '--deactivate',
    '--out',
    usb,
  ]);
  assert.equal(made.code, 0, made.stderr);
  const ceb = readdirSync(usb).find((n) => n.endsWith('.ceb'));
  assert.ok(ceb !== undefined && readdirSync(usb).includes(`${ceb}.media`));

  // The files exist only in the companion now: the old device's folder is gone.
  rmSync(oldDevice, { recursive: true, force: true });
  const passwordFile = join(dir, 'pw');
  writeFileSync(passwordFile, 'alice pw\n');
  const home = join(dir, 'dino');
  const out = await runFerry([
    '--profile',
    join(dir, 'p'),
    'export',
    join(usb, ceb),
    '--to',
    'dino',
    '--out',
    home,
    '--password-file',
    passwordFile,
  ]);
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stdout, /media companion: 3 files read/);
  assert.doesNotMatch(out.stdout + out.stderr, /alice pw/);

  const db = new Database(dinoDbPath(home), { readonly: true });
  const files = db
    .prepare('SELECT file_name, path, state FROM file_transfer ORDER BY id')
    .all() as { file_name: string; path: string | null; state: number }[];
  db.close();
  assert.equal(files.length, seeded.files.size);
  const byName = new Map(
    [...seeded.files].map(([path, bytes]) => [path.split('/').pop() ?? path, bytes]),
  );
  for (const f of files) {
    assert.equal(f.state, 0, `${f.file_name} is complete in Dino`);
    assert.ok(f.path !== null);
    const expected = byName.get(f.file_name);
    assert.ok(expected !== undefined, f.file_name);
    assert.ok(readFileSync(join(dinoFilesDir(home), f.path)).equals(expected));
  }
  // The companion's files went through a private scratch folder that is gone again.
  assert.deepEqual(
    readdirSync(dir).filter((n) => n.startsWith('.ferry-media-')),
    [],
  );
});
