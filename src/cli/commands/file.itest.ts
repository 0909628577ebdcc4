// `ferry inspect|verify|decrypt` run as real child processes against the fixtures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFerry as ferry } from '../testing/run-ferry.js';

const REPO = join(import.meta.dirname, '..', '..', '..');
const CEB = join(REPO, 'test-data', 'ceb');

interface Fixture {
  file: string;
  format: number;
  jid: string;
  password: string;
  outcome: string;
  rows?: string;
}
const fixtures = JSON.parse(readFileSync(join(CEB, 'fixtures.json'), 'utf8')) as Fixture[];

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-file-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

for (const fx of fixtures.filter((f) => f.outcome === 'ok')) {
  test(`ferry decrypt ${fx.file} gives exactly ${fx.rows}`, async (t) => {
    const dir = tempDir(t);
    const passwordFile = join(dir, 'password.txt');
    writeFileSync(passwordFile, `${fx.password}\n`);
    const out = join(dir, 'rows.jsonl');
    const r = await ferry([
      'decrypt',
      join(CEB, fx.file),
      '--out',
      out,
      '--password-file',
      passwordFile,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(out, 'utf8'), readFileSync(join(CEB, fx.rows as string), 'utf8'));
    assert.equal(statSync(out).mode & 0o777, 0o600);
    assert.match(r.stderr, /Decrypted \d+ rows .*authenticated/);
    assert.ok(!(r.stdout + r.stderr).includes(fx.password), 'the password is never printed');
    assert.deepEqual(readdirSync(dir).sort(), ['password.txt', 'rows.jsonl']);
  });
}

test('ferry decrypt of a damaged, newer or wrongly unlocked file exits with its code and writes nothing', async (t) => {
  const dir = tempDir(t);
  const out = join(dir, 'out.jsonl');
  const pw = { FERRY_PASSWORD: 'correct horse battery staple' };
  const cases: [string, Record<string, string>, number, RegExp][] = [
    ['v1-alice-truncated.ceb', pw, 4, /damaged|authentication/],
    ['v2-alice-truncated.ceb', pw, 4, /damaged|authentication/],
    ['v99-wrong-version.ceb', pw, 5, /version 99/],
    ['v2-alice.ceb', { FERRY_PASSWORD: 'correct horse battery stapler' }, 3, /wrong password/],
    ['README.md', pw, 6, /not a backup/],
  ];
  for (const [file, env, code, message] of cases) {
    const r = await ferry(['decrypt', join(CEB, file), '--out', out], env);
    assert.equal(r.code, code, `${file}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.match(r.stderr, /hint: /);
    assert.deepEqual(readdirSync(dir), [], `${file} left output behind`);
  }
  const none = await ferry(['decrypt', join(CEB, 'v2-alice.ceb'), '--out', out]);
  assert.equal(none.code, 2, 'no password and no terminal is a usage error');
  assert.match(none.stderr, /--password-file|FERRY_PASSWORD/);
  const nowhere = await ferry(
    ['decrypt', join(CEB, 'v2-alice.ceb'), '--out', join(dir, 'no', 'x.jsonl')],
    pw,
  );
  assert.equal(nowhere.code, 2);
  assert.match(nowhere.stderr, /does not exist/);
});

test('ferry inspect shows every header without a password; --json for scripts', async () => {
  const files = fixtures.filter((f) => f.outcome !== 'unsupported-version');
  const r = await ferry(['inspect', ...files.map((f) => join(CEB, f.file))]);
  assert.equal(r.code, 0, r.stderr);
  for (const fx of files) assert.ok(r.stdout.includes(`account:  ${fx.jid}`), fx.file);
  assert.match(r.stdout, /format: {3}1 \(SQL/);
  assert.match(r.stdout, /created: {2}2023-11-14T22:13:20\.001Z/);
  assert.match(r.stdout, /size: {5}45,434 bytes/);

  const j = await ferry(['inspect', '--json', join(CEB, 'v1-unicode.ceb')]);
  assert.equal(j.code, 0, j.stderr);
  assert.deepEqual(JSON.parse(j.stdout), {
    file: join(CEB, 'v1-unicode.ceb'),
    account: 'björn.müller@bücherwurm.example',
    app: 'Conversations',
    version: 1,
    created: '2023-11-14T22:15:00.001Z',
    timestamp: 1700000100001,
    size: 25069,
  });

  const mixed = await ferry([
    'inspect',
    '--json',
    join(CEB, 'v2-alice.ceb'),
    join(CEB, 'v99-wrong-version.ceb'),
  ]);
  assert.equal(mixed.code, 5);
  const list = JSON.parse(mixed.stdout) as { account?: string; error?: { code: string } }[];
  assert.equal(list[0]?.account, 'alice@jabber.de');
  assert.equal(list[1]?.error?.code, 'unsupported-version');
});

test('ferry verify authenticates the whole file and counts rows per table', async () => {
  const r = await ferry(['verify', '--json', join(CEB, 'v2-unicode.ceb')], {
    FERRY_PASSWORD: 'Grüße aus Köln – пароль 🔑',
  });
  assert.equal(r.code, 0, r.stderr);
  const summary = JSON.parse(r.stdout) as {
    authenticated: boolean;
    rows: Record<string, number>;
    total: number;
  };
  assert.equal(summary.authenticated, true);
  assert.equal(summary.rows.messages, 30);
  assert.equal(summary.rows.accounts, 1);
  assert.equal(summary.total, 151);

  const human = await ferry(['verify', join(CEB, 'v1-alice.ceb')], {
    FERRY_PASSWORD: 'correct horse battery staple',
  });
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /OK — authenticated, 187 rows/);
  assert.match(human.stdout, /messages\s+60/);

  const broken = await ferry(['verify', join(CEB, 'v1-alice-truncated.ceb')], {
    FERRY_PASSWORD: 'correct horse battery staple',
  });
  assert.equal(broken.code, 4);
  assert.equal(broken.stdout, '');
});
