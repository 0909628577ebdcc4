// The three steps of a move, as a user types them: `ferry account …` and `ferry backup …` run as
// child processes on real profiles and files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  copyFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { writeBackupFile } from '@ferry/ceb-format';
import { EXIT } from '../failure.js';
import { runFerry } from '../testing/run-ferry.js';
import { fixturePath, tempDir } from '../../migration/testing/fixtures.js';

test('account add/list/disable/enable, backup create on the old device, list and import on the new one', async () => {
  const t = tempDir('cli');
  try {
    const oldDevice = join(t.dir, 'old');
    const newDevice = join(t.dir, 'new');
    const usb = join(t.dir, 'usb');
    const env = { HOME: join(t.dir, 'home'), XDG_DATA_HOME: join(t.dir, 'xdg') };
    const pwFile = join(t.dir, 'pw');
    writeFileSync(pwFile, 'kim secret\n');

    let r = await runFerry(
      ['--profile', oldDevice, 'account', 'add', 'kim@example.org', '--password-file', pwFile],
      env,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Added kim@example\.org/);
    assert.doesNotMatch(r.stdout + r.stderr, /kim secret/);
    r = await runFerry(['account', 'add', 'lee@example.org'], {
      ...env,
      FERRY_PROFILE: oldDevice,
      FERRY_PASSWORD: 'lee pw',
    });
    assert.equal(r.code, 0, r.stderr);

    r = await runFerry(['--profile', oldDevice, 'account', 'list', '--json'], env);
    const listed = JSON.parse(r.stdout) as { jid: string; enabled: boolean }[];
    assert.deepEqual(
      listed.map((a) => [a.jid, a.enabled]),
      [
        ['kim@example.org', true],
        ['lee@example.org', true],
      ],
    );

    r = await runFerry(['--profile', oldDevice, 'account', 'disable', 'lee@example.org'], env);
    assert.equal(r.code, 0, r.stderr);

    // Step 1: kim is still enabled → warned.
    r = await runFerry(
      ['--profile', oldDevice, 'backup', 'create', '--out', usb, '--format', '1'],
      env,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /warning: kim@example\.org is still enabled/);
    assert.match(r.stdout, /2 backup files in /);
    const files = readdirSync(usb).sort();
    assert.equal(files.length, 2);
    for (const f of files) {
      assert.match(f, /^(kim|lee)@example\.org\.\d{4}-\d{2}-\d{2}-\d{2}-\d{2}\.ceb$/);
      assert.equal(statSync(join(usb, f)).mode & 0o777, 0o600);
    }

    // Step 3: the new device finds and imports them.
    r = await runFerry(['--profile', newDevice, 'backup', 'list', usb, '--json'], env);
    assert.equal(r.code, 0, r.stderr);
    const found = JSON.parse(r.stdout) as {
      backups: { jid: string; format: number; accountExists: boolean }[];
    };
    assert.deepEqual(found.backups.map((b) => [b.jid, b.format, b.accountExists]).sort(), [
      ['kim@example.org', 1, false],
      ['lee@example.org', 1, false],
    ]);

    const kimFile = join(usb, files.find((f) => f.startsWith('kim')) ?? '');
    r = await runFerry(['--profile', newDevice, 'backup', 'import', kimFile], {
      ...env,
      FERRY_PASSWORD: 'wrong',
    });
    assert.equal(r.code, EXIT.wrongPassword, r.stderr);
    assert.match(r.stderr, /wrong password/);

    r = await runFerry(
      ['--profile', newDevice, 'backup', 'import', kimFile, '--password-file', pwFile],
      env,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Imported kim@example\.org/);
    assert.match(r.stdout, /0 conversations, 0 messages, 0 OMEMO keys restored/);
    assert.match(r.stdout, /Next: ferry account enable kim@example\.org/);

    r = await runFerry(['--profile', newDevice, 'backup', 'list', usb], env);
    assert.match(r.stdout, /kim@example\.org .*\(account already on this device\)/);

    // Importing it again is the clone case: refused, with the reason.
    r = await runFerry(
      ['--profile', newDevice, 'backup', 'import', kimFile, '--password-file', pwFile],
      env,
    );
    assert.equal(r.code, EXIT.accountExists);
    assert.match(r.stderr, /already exists on this device/);
    assert.match(r.stderr, /cloning/);

    r = await runFerry(['--profile', newDevice, 'account', 'list', '--json'], env);
    assert.deepEqual(
      (JSON.parse(r.stdout) as { jid: string; enabled: boolean }[]).map((a) => [a.jid, a.enabled]),
      [['kim@example.org', false]],
    );
    r = await runFerry(['--profile', newDevice, 'account', 'enable', 'kim@example.org'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /kim@example\.org is now enabled/);
  } finally {
    t.cleanup();
  }
});

test('backup import --json reports counts and files missing on this device; failures keep their exit codes', async () => {
  const t = tempDir('cli');
  try {
    const profile = join(t.dir, 'p');
    const env = { HOME: join(t.dir, 'home'), FERRY_PROFILE: profile };
    const downloads = join(t.dir, 'home', 'Downloads', 'Conversations', 'Backup');
    mkdirSync(downloads, { recursive: true });
    copyFileSync(
      fixturePath('v2-alice.ceb'),
      join(downloads, 'alice@jabber.de.2023-11-14-22-13.ceb'),
    );

    let r = await runFerry(['backup', 'list', '--json'], env);
    const found = JSON.parse(r.stdout) as { backups: { path: string }[] };
    assert.equal(found.backups.length, 1);

    // A second, truncated file (of another account: a second alice file would be refused as existing).
    const whole = join(t.dir, 'lee.ceb');
    const rows = [
      {
        table: 'accounts' as const,
        values: { uuid: 'u1', username: 'lee', server: 'example.org', password: 'x', options: 0 },
      },
      ...Array.from({ length: 500 }, (_, i) => ({
        table: 'prekeys' as const,
        values: { account: 'u1', id: i, key: `key number ${i} ${'A'.repeat(i % 50)}` },
      })),
    ];
    await writeBackupFile(
      whole,
      { jid: 'lee@example.org', password: 'correct horse battery staple' },
      rows,
    );
    const bytes = readFileSync(whole);
    const truncated = join(t.dir, 'lee-truncated.ceb');
    writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const pwFile = join(t.dir, 'pw');
    writeFileSync(pwFile, 'correct horse battery staple\n');
    r = await runFerry(
      [
        'backup',
        'import',
        '--json',
        found.backups[0]?.path ?? '',
        truncated,
        '--password-file',
        pwFile,
      ],
      env,
    );
    assert.equal(r.code, EXIT.damaged, r.stderr);
    const out = JSON.parse(r.stdout) as {
      imported: {
        jid: string;
        messages: number;
        omemoKeys: number;
        missingMedia: { count: number; folder: string };
      }[];
      failed: { file: string; exitCode: number }[];
    };
    assert.equal(out.imported[0]?.jid, 'alice@jabber.de');
    assert.equal(out.imported[0]?.messages, 60);
    assert.equal(out.imported[0]?.omemoKeys, 120);
    assert.equal(out.imported[0]?.missingMedia.count, 4);
    assert.equal(out.imported[0]?.missingMedia.folder, join(profile, 'Media'));
    assert.deepEqual(
      out.failed.map((f) => f.exitCode),
      [EXIT.damaged],
    );
    assert.match(r.stderr, /1 of 2 backups were not imported/);

    r = await runFerry(['backup', 'import', fixturePath('v99-wrong-version.ceb')], {
      ...env,
      FERRY_PASSWORD: 'x',
    });
    assert.equal(r.code, EXIT.unsupportedVersion);
    assert.match(r.stderr, /version 99/);

    r = await runFerry(['backup', 'create', '--keep', '0'], env);
    assert.equal(r.code, EXIT.usage);
  } finally {
    t.cleanup();
  }
});
