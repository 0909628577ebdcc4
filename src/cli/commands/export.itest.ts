import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openProfile } from '../../store/profile.js';
import { insertBackupRows } from '../../store/backup-rows.js';
import { CEB_FIXTURES, expectedRows, FIXTURE_PASSWORDS } from '../../export/testing/fixtures.js';
import { runFerry } from '../testing/run-ferry.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'ferry-export-cli-'));
}

test('ferry export FILE.ceb --to txt with a password file', async (t) => {
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const passwordFile = join(dir, 'password');
  writeFileSync(passwordFile, `${FIXTURE_PASSWORDS['v1-unicode']}\n`);
  const out = join(dir, 'out');
  const r = await runFerry([
    'export',
    join(CEB_FIXTURES, 'v1-unicode.ceb'),
    '--to',
    'txt',
    '--out',
    out,
    '--tz',
    'Asia/Tokyo',
    '--password-file',
    passwordFile,
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /Exported björn\.müller@bücherwurm\.example \(4 conversations, 30 messages\)/,
  );
  assert.ok(!r.stdout.includes(FIXTURE_PASSWORDS['v1-unicode']));
  const file = join(
    out,
    'björn.müller@bücherwurm.example',
    'group',
    'hiking@chat.disroot.org',
    '2020-01-01.txt',
  );
  // 01:46 UTC is 10:46 in Tokyo.
  assert.match(readFileSync(file, 'utf8'), /^10:46 Björn\.müller -> He said "hi" and then "bye"\n/);
});

test('ferry export: wrong password, unknown zone, nothing to export', async (t) => {
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'out');
  const ceb = join(CEB_FIXTURES, 'v2-alice.ceb');
  const wrong = await runFerry(['export', ceb, '--to', 'html', '--out', out], {
    FERRY_PASSWORD: 'not the password',
  });
  assert.equal(wrong.code, 3);
  assert.match(wrong.stderr, /wrong password/);
  assert.match(wrong.stderr, /hint:/);
  assert.ok(!existsSync(out), 'nothing written');

  const zone = await runFerry(
    ['export', ceb, '--to', 'txt', '--out', out, '--tz', 'Mars/Olympus'],
    { FERRY_PASSWORD: FIXTURE_PASSWORDS['v2-alice'] },
  );
  assert.equal(zone.code, 2);
  assert.match(zone.stderr, /unknown time zone "Mars\/Olympus"/);

  const nothing = await runFerry(['export', '--to', 'txt', '--out', out]);
  assert.equal(nothing.code, 2);
  assert.match(nothing.stderr, /nothing to export/);

  const format = await runFerry(['export', ceb, '--to', 'pdf', '--out', out]);
  assert.equal(format.code, 2);
});

test('ferry export --account JID exports the profile like the backup it came from', async (t) => {
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const profileDir = join(dir, 'profile');
  const profile = openProfile(profileDir);
  profile.db.transaction(() => insertBackupRows(profile.db, expectedRows('v2-alice'))).immediate();
  profile.close();

  const fromProfile = join(dir, 'from-profile');
  const a = await runFerry([
    '--profile',
    profileDir,
    'export',
    '--account',
    'Alice@jabber.de',
    '--to',
    'json',
    '--out',
    fromProfile,
    '--tz',
    'UTC',
    '--json',
  ]);
  assert.equal(a.code, 0, a.stderr);
  const result = JSON.parse(a.stdout);
  assert.equal(result.account, 'alice@jabber.de');
  assert.equal(result.messages, 60);

  const fromBackup = join(dir, 'from-backup');
  const b = await runFerry(
    [
      'export',
      join(CEB_FIXTURES, 'v2-alice.ceb'),
      '--to',
      'json',
      '--out',
      fromBackup,
      '--tz',
      'UTC',
    ],
    { FERRY_PASSWORD: FIXTURE_PASSWORDS['v2-alice'] },
  );
  assert.equal(b.code, 0, b.stderr);
  const strip = (text: string) => {
    const doc = JSON.parse(text);
    delete doc.exportedAt;
    return doc;
  };
  assert.deepEqual(
    strip(readFileSync(join(fromProfile, 'alice@jabber.de.json'), 'utf8')),
    strip(readFileSync(join(fromBackup, 'alice@jabber.de.json'), 'utf8')),
  );

  const missing = await runFerry([
    '--profile',
    profileDir,
    'export',
    '--account',
    'bob@example.org',
    '--to',
    'txt',
    '--out',
    fromProfile,
  ]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /there is no account bob@example\.org in this profile/);
  assert.match(missing.stderr, /Accounts here: alice@jabber\.de/);
});

test('ferry export --account --to html links the files kept in the profile', async (t) => {
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const profileDir = join(dir, 'profile');
  const profile = openProfile(profileDir);
  profile.db.transaction(() => insertBackupRows(profile.db, expectedRows('v2-alice'))).immediate();
  profile.close();
  const mediaDir = join(profileDir, 'Media');
  mkdirSync(mediaDir, { recursive: true });
  writeFileSync(join(mediaDir, 'IMG_20234264_385755.jpg'), 'not really a jpeg');
  const out = join(dir, 'out');
  const r = await runFerry(
    ['export', '--account', 'alice@jabber.de', '--to', 'html', '--out', out, '--tz', 'UTC'],
    { FERRY_PROFILE: profileDir },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /open .*alice@jabber\.de\/index\.html/);
  const pages = readdirSync(join(out, 'alice@jabber.de', 'chats')).map((f) =>
    readFileSync(join(out, 'alice@jabber.de', 'chats', f), 'utf8'),
  );
  const linked = pages.join('\n').match(/<a class="file-name local" href="([^"]+)">/g) ?? [];
  assert.equal(linked.length, 1);
  assert.ok(linked[0]?.includes('../../../profile/Media/IMG_20234264_385755.jpg'), linked[0]);
});
