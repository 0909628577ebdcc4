/**
 * `ferry export --to profanity` and `ferry backup import --from profanity` as a person runs them:
 * the summaries, and bad input — a folder that is not empty, a wrong password, a damaged home, an
 * unknown client — each a one-line error with a hint and its exit code, and nothing written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFerry } from '../../cli/testing/run-ferry.js';
import { profanityPaths } from './layout.js';

const CEB = 'test-data/omemo/alice.v2.ceb';
const PASSWORD = 'alice-backup-password';

function scratch(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-prof-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function errorLines(stderr: string): string[] {
  return stderr.trim().split('\n');
}

test('export --to profanity from a .ceb: summary, then a second run into the same folder is refused', async (t) => {
  const dir = scratch(t);
  const out = join(dir, 'home');
  const args = [
    '--profile',
    join(dir, 'profile'),
    'export',
    CEB,
    '--to',
    'profanity',
    '--out',
    out,
  ];
  const ok = await runFerry(args, { FERRY_PASSWORD: PASSWORD });
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /carried:\n.*the account: JID, resource, server and port/);
  assert.match(ok.stdout, /messages: 6\n/);
  assert.match(ok.stdout, /not carried:\n/);
  assert.match(ok.stdout, /Next: HOME=.* profanity, then \/connect alice@example\.org/);
  // The decrypted scratch copy and the staging folder are gone; only the home and the profile remain.
  assert.deepEqual(readdirSync(dir).sort(), ['home']);
  const again = await runFerry(args, { FERRY_PASSWORD: PASSWORD });
  assert.equal(again.code, 2);
  const [message, hint] = errorLines(again.stderr);
  assert.match(message ?? '', /^ferry: .*home is not empty \(it holds \.config, \.local\)$/);
  assert.match(hint ?? '', /^ {2}hint: Give a new or empty folder/);
});

test('export --to profanity: a wrong password writes nothing', async (t) => {
  const dir = scratch(t);
  const out = join(dir, 'home');
  const r = await runFerry(
    ['--profile', join(dir, 'p'), 'export', CEB, '--to', 'profanity', '--out', out],
    {
      FERRY_PASSWORD: 'not the password',
    },
  );
  assert.equal(r.code, 3, r.stderr);
  assert.equal(existsSync(out), false);
  assert.deepEqual(
    readdirSync(dir).filter((n) => n.includes('ferry-')),
    [],
  );
});

test('export: options that belong to other targets are refused with a hint', async (t) => {
  const dir = scratch(t);
  const r = await runFerry([
    '--profile',
    join(dir, 'p'),
    'export',
    CEB,
    '--to',
    'txt',
    '--out',
    dir,
    '--deactivate',
  ]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--deactivate and --allow-clone apply when exporting to another client/);
  assert.match(r.stderr, /--to profanity/);
});

test('backup import --from profanity: a damaged home is refused, the profile stays empty', async (t) => {
  const dir = scratch(t);
  const home = join(dir, 'home');
  cpSync('test-data/profanity-home', home, { recursive: true });
  writeFileSync(
    join(profanityPaths.omemoDir(home, 'carol@ferry.test'), 'identity.txt'),
    '[identity]\ndevice_id=abc\n',
  );
  const profile = join(dir, 'profile');
  const r = await runFerry(['--profile', profile, 'backup', 'import', '--from', 'profanity', home]);
  assert.equal(r.code, 4, r.stderr);
  const [message, hint] = errorLines(r.stderr);
  assert.match(message ?? '', /identity\.txt has no valid device_id \("abc"\)$/);
  assert.match(hint ?? '', /nothing was imported/);
  const list = await runFerry(['--profile', profile, 'account', 'list', '--json']);
  assert.deepEqual(JSON.parse(list.stdout || '[]'), []);
});

test('backup import --from: an unknown client, a missing folder, several folders', async (t) => {
  const dir = scratch(t);
  const profile = join(dir, 'profile');
  const unknown = await runFerry([
    '--profile',
    profile,
    'backup',
    'import',
    '--from',
    'pidgin',
    dir,
  ]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /ferry cannot read or write "pidgin"/);
  mkdirSync(join(dir, 'empty'));
  const notHome = await runFerry([
    '--profile',
    profile,
    'backup',
    'import',
    '--from',
    'profanity',
    join(dir, 'empty'),
  ]);
  assert.equal(notHome.code, 4);
  assert.match(notHome.stderr, /is not a profanity home/);
  const two = await runFerry([
    '--profile',
    profile,
    'backup',
    'import',
    '--from',
    'profanity',
    dir,
    dir,
  ]);
  assert.equal(two.code, 2);
  assert.match(two.stderr, /takes one folder, not 2/);
});

test('backup import --from profanity --json: the result and its summary', async (t) => {
  const dir = scratch(t);
  const home = join(dir, 'home');
  cpSync('test-data/profanity-home', home, { recursive: true });
  const r = await runFerry([
    '--profile',
    join(dir, 'profile'),
    'backup',
    'import',
    '--from',
    'profanity',
    home,
    '--json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout) as {
    jid: string;
    summary: {
      carried: { what: string; count?: number }[];
      notCarried: { what: string; why: string }[];
    };
  };
  assert.equal(result.jid, 'carol@ferry.test');
  assert.deepEqual(
    result.summary.carried.find((c) => c.what === 'messages'),
    { what: 'messages', count: 4 },
  );
  assert.ok(result.summary.notCarried.some((c) => c.what === 'roster and bookmarks'));
  assert.doesNotMatch(r.stdout, /pw-carol/);
});
