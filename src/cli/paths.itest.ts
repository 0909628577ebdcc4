/**
 * Every command that takes a path, given a missing path, a folder (or a file where a folder is
 * wanted), an unreadable file, and every command given a wrong option: each answers with one line
 * saying what happened and one hint, never "a bug in ferry". Runs the real CLI in child processes;
 * the unreadable cases run as the user `nobody` when the tests run as root (root reads anything).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFerry, type FerryRun } from './testing/run-ferry.js';

const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;

/** A path slot: what a case puts there. `wants` says whether the command expects a file or folder. */
type Slot = { wants: 'file' | 'folder'; createsMissing?: boolean };

interface Case {
  name: string;
  /** The command line, with PATH where the path under test goes. */
  args: (path: string, good: Paths) => string[];
  slot: Slot;
}

interface Paths {
  dir: string;
  backup: string;
  profile: string;
  password: string;
}

const CASES: Case[] = [
  { name: 'inspect FILE', args: (p) => ['inspect', p], slot: { wants: 'file' } },
  { name: 'verify FILE', args: (p) => ['verify', p], slot: { wants: 'file' } },
  {
    name: 'decrypt FILE',
    args: (p, g) => ['decrypt', p, '--out', join(g.dir, 'out.jsonl')],
    slot: { wants: 'file' },
  },
  {
    name: 'backup import FILE',
    args: (p, g) => ['--profile', g.profile, 'backup', 'import', p],
    slot: { wants: 'file' },
  },
  {
    name: 'export FILE',
    args: (p, g) => ['export', p, '--to', 'txt', '--out', join(g.dir, 'export')],
    slot: { wants: 'file' },
  },
  {
    name: 'verify --password-file FILE',
    args: (p, g) => ['verify', g.backup, '--password-file', p],
    slot: { wants: 'file' },
  },
  {
    name: 'backup import --password-file FILE',
    args: (p, g) => ['--profile', g.profile, 'backup', 'import', g.backup, '--password-file', p],
    slot: { wants: 'file' },
  },
  {
    name: 'backup import --media FILE',
    args: (p, g) => ['--profile', g.profile, 'backup', 'import', g.backup, '--media', p],
    slot: { wants: 'file' },
  },
  {
    name: 'account add --password-file FILE',
    args: (p, g) => [
      '--profile',
      g.profile,
      'account',
      'add',
      'kim@example.org',
      '--password-file',
      p,
    ],
    slot: { wants: 'file' },
  },
  {
    name: 'backup list --from URL --netrc FILE',
    args: (p) => ['backup', 'list', '--from', 'https://127.0.0.1:9/dav/', '--netrc', p],
    slot: { wants: 'file' },
  },
  {
    name: 'backup push FILE',
    args: (p, g) => [
      '--profile',
      g.profile,
      'backup',
      'push',
      p,
      '--to',
      'https://127.0.0.1:9/dav/',
    ],
    slot: { wants: 'file' },
  },
  {
    name: 'backup list DIR',
    args: (p, g) => ['--profile', g.profile, 'backup', 'list', p],
    slot: { wants: 'folder' },
  },
  {
    name: 'backup create --out DIR',
    args: (p, g) => ['--profile', g.profile, 'backup', 'create', '--out', p],
    slot: { wants: 'folder', createsMissing: true },
  },
  {
    name: 'export --out DIR',
    args: (p, g) => ['export', g.backup, '--to', 'txt', '--out', p],
    slot: { wants: 'folder', createsMissing: true },
  },
  {
    name: '--profile DIR account list',
    args: (p) => ['--profile', p, 'account', 'list'],
    slot: { wants: 'folder', createsMissing: true },
  },
  {
    name: '--profile DIR chats',
    args: (p) => ['--profile', p, 'chats'],
    slot: { wants: 'folder', createsMissing: true },
  },
  {
    name: '--profile DIR media check',
    args: (p) => ['--profile', p, 'media', 'check'],
    slot: { wants: 'folder', createsMissing: true },
  },
  {
    name: '--profile DIR omemo fingerprints',
    args: (p) => ['--profile', p, 'omemo', 'fingerprints'],
    slot: { wants: 'folder' },
  },
];

/** Every command, for the wrong-option case. */
const COMMANDS = [
  ['inspect', 'x.ceb'],
  ['verify', 'x.ceb'],
  ['decrypt', 'x.ceb', '--out', 'x.jsonl'],
  ['account', 'add', 'kim@example.org'],
  ['account', 'list'],
  ['account', 'enable', 'kim@example.org'],
  ['account', 'disable', 'kim@example.org'],
  ['backup', 'create'],
  ['backup', 'list'],
  ['backup', 'import', 'x.ceb'],
  ['backup', 'push'],
  ['backup', 'pull'],
  ['export', 'x.ceb'],
  ['sync'],
  ['run'],
  ['send', 'bob@example.org', 'hi'],
  ['chats'],
  ['chat', 'bob@example.org'],
  ['omemo', 'fingerprints'],
  ['omemo', 'trust', 'bob@example.org', '05ab'],
  ['omemo', 'distrust', 'bob@example.org', '05ab'],
  ['media', 'check'],
  ['web'],
];

/** One line of what happened, one hint; no stack, no raw error code, no "bug". */
function assertOneLineAndHint(run: FerryRun, what: string): void {
  const lines = run.stderr.trimEnd().split('\n');
  assert.notEqual(run.code, 0, `${what}: fails\n${run.stderr}`);
  assert.equal(lines.length, 2, `${what}: two lines on stderr, got:\n${run.stderr}`);
  assert.match(lines[0] ?? '', /^(ferry: |error: )\S/, `${what}: what happened\n${run.stderr}`);
  assert.match(lines[1] ?? '', /^ {2}hint: \S|^\(run with --help for usage\)$/, `${what}: a hint`);
  assert.doesNotMatch(run.stderr, /bug in ferry|unexpected error|E[A-Z]{3,}:|\n\s+at /, what);
}

async function inBatches<T>(
  items: T[],
  size: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

test(
  'every command: missing path, folder, unreadable file, wrong option',
  { timeout: 600_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-paths-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    chmodSync(dir, 0o755);
    const g: Paths = {
      dir,
      backup: join(dir, 'alice.ceb'),
      profile: join(dir, 'profile'),
      password: join(dir, 'pw.txt'),
    };
    copyFileSync('test-data/ceb/v2-alice.ceb', g.backup);
    writeFileSync(g.password, 'correct horse battery staple\n');
    const aFolder = join(dir, 'a-folder');
    mkdirSync(aFolder);
    const aFile = join(dir, 'a-file.txt');
    writeFileSync(aFile, 'not a folder\n');
    const locked = join(dir, 'locked.ceb');
    writeFileSync(locked, 'secret');
    chmodSync(locked, 0o000);
    const lockedFolder = join(dir, 'locked-folder');
    mkdirSync(lockedFolder, { mode: 0o000 });
    chmodSync(lockedFolder, 0o000);
    const as = asRoot ? { uid: NOBODY, gid: NOBODY } : {};
    if (asRoot) {
      // `nobody` needs its own profile and everything else readable; only the locked paths are not.
      for (const p of [g.backup, g.password, aFile, dir, aFolder]) chownSync(p, NOBODY, NOBODY);
    }
    const env = { FERRY_PASSWORD: 'correct horse battery staple', HOME: dir };

    const runs: { what: string; args: string[]; user: typeof as; ok?: boolean }[] = [];
    CASES.forEach((c, i) => {
      // A folder the command writes into is created when missing; anything else missing is an error.
      runs.push({
        what: `${c.name} (missing)`,
        args: c.args(join(dir, `no-such-thing-${i}`), g),
        user: as,
        ok: c.slot.createsMissing === true,
      });
      runs.push({
        what: `${c.name} (${c.slot.wants === 'file' ? 'a folder' : 'a file'})`,
        args: c.args(c.slot.wants === 'file' ? aFolder : aFile, g),
        user: as,
      });
      runs.push({
        what: `${c.name} (unreadable)`,
        args: c.args(c.slot.wants === 'file' ? locked : lockedFolder, g),
        user: as,
      });
    });
    for (const words of COMMANDS) {
      runs.push({ what: `ferry ${words.join(' ')} --nope`, args: [...words, '--nope'], user: {} });
    }
    const failures: string[] = [];
    await inBatches(runs, 4, async (r) => {
      const run = await runFerry(r.args, env, r.user);
      if (process.env.FERRY_SHOW === '1')
        process.stdout.write(`# ${r.what}: ${run.code}\n${run.stderr}\n`);
      try {
        if (r.ok) assert.equal(run.code, 0, r.what);
        else assertOneLineAndHint(run, r.what);
      } catch {
        failures.push(`${r.what}:\n${run.stderr}`);
      }
    });
    assert.deepEqual(failures, [], failures.join('\n'));
  },
);
