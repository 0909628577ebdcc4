import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { listDatabaseAccounts } from './account-reader.js';
import { ExportError } from './errors.js';
import { exportBackupFile } from './export-chats.js';
import { renderAccount, type ExportFormat } from './render-account.js';
import {
  CEB_FIXTURES,
  FIXTURE_PASSWORDS,
  GOLDEN_DIR,
  GOLDEN_EXPORTED_AT,
  GOLDEN_TZ,
  fixtureDatabase,
} from './testing/fixtures.js';
import { ZonedClock } from './zoned-time.js';

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out;
}

function tempOut(t: { after(fn: () => void): void }): string {
  const out = mkdtempSync(join(tmpdir(), 'ferry-export-folders-'));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  return out;
}

const exportAlice = (format: ExportFormat, out: string) =>
  exportBackupFile(join(CEB_FIXTURES, 'v2-alice.ceb'), FIXTURE_PASSWORDS['v2-alice'], {
    format,
    outDir: out,
    timeZone: GOLDEN_TZ,
    exportedAt: GOLDEN_EXPORTED_AT,
  });

const HOSTILE_JIDS: [string, boolean][] = [
  ['bob@example.org', false],
  ['Bob@example.org', false],
  ['BOB@EXAMPLE.ORG', false],
  ['a/b@example.org', false],
  ['a_b@example.org', false],
  ['..', false],
  ['../../../escaped', false],
  ['/etc/passwd', false],
  ['nul\u0000byte@example.org', false],
  ['con', false],
  [`${'long'.repeat(100)}@example.org`, false],
  ['', false],
  ['room@conference.example.org', true],
  ['ROOM@conference.example.org', true],
  ['..', true],
];

test('txt: conversations whose JIDs sanitise or fold alike never share a folder or escape OUT', async (t) => {
  const out = tempOut(t);
  const f = await fixtureDatabase('v2-alice');
  t.after(() => f.cleanup());
  const account = listDatabaseAccounts(f.db)[0];
  assert.ok(account);
  const insertConversation = f.db.prepare(
    `INSERT INTO conversations (uuid, name, accountUuid, contactJid, created, status, mode)
     VALUES (?, NULL, ?, ?, 0, 0, ?)`,
  );
  const insertMessage = f.db.prepare(
    `INSERT INTO messages (uuid, conversationUuid, timeSent, counterpart, body, encryption, status, type)
     VALUES (?, ?, ?, ?, ?, 0, 0, 0)`,
  );
  HOSTILE_JIDS.forEach(([jid, group], i) => {
    insertConversation.run(`hostile-${i}`, account.uuid, jid, group ? 1 : 0);
    insertMessage.run(
      `hostile-msg-${i}`,
      `hostile-${i}`,
      Date.UTC(2021, 0, 1),
      jid,
      `marker-${i}-end`,
    );
  });
  const render = () =>
    renderAccount(f.db, account, {
      format: 'txt',
      outDir: join(out, 'site'),
      clock: new ZonedClock('UTC'),
      mediaRoots: [],
    });
  const result = render();
  assert.equal(result.path, join(out, 'site', 'alice@jabber.de'));
  assert.deepEqual(readdirSync(out), ['site'], 'nothing written outside OUT');
  assert.deepEqual(readdirSync(join(out, 'site')), ['alice@jabber.de']);

  const accountDir = realpathSync(result.path);
  const files = listFiles(accountDir);
  const folderOf = new Map<number, string>();
  for (const file of files) {
    assert.ok(realpathSync(join(accountDir, file)).startsWith(accountDir + sep), file);
    const parts = file.split(sep);
    assert.equal(parts.length, 3, `KIND/CONVERSATION/DAY.txt: ${file}`);
    const text = readFileSync(join(accountDir, file), 'utf8');
    for (const m of text.matchAll(/marker-(\d+)-end/g)) {
      const i = Number(m[1]);
      assert.ok(!folderOf.has(i), `marker ${i} written once`);
      folderOf.set(i, join(parts[0] ?? '', parts[1] ?? ''));
    }
  }
  assert.equal(folderOf.size, HOSTILE_JIDS.length, 'every conversation exported');
  const folders = [...folderOf.values()].map((d) => d.normalize('NFC').toLowerCase());
  assert.equal(new Set(folders).size, HOSTILE_JIDS.length, 'one folder per conversation');
  assert.equal(folderOf.get(0), join('1on1', 'bob@example.org'));
  assert.equal(folderOf.get(4), join('1on1', 'a_b@example.org'));
  assert.equal(folderOf.get(12), join('group', 'room@conference.example.org'));

  // Stable: a second export names every folder the same.
  const before = listFiles(accountDir);
  render();
  assert.deepEqual(listFiles(realpathSync(result.path)), before);
});

test('txt: a new export replaces the earlier one as a whole (no stale day files)', async (t) => {
  const out = tempOut(t);
  await exportAlice('txt', out);
  const stale = join(
    out,
    'alice@jabber.de',
    '1on1',
    'jonas_rossi@conversations.im',
    '1999-12-31.txt',
  );
  writeFileSync(stale, '00:00 <- from an earlier run\n');
  mkdirSync(join(out, 'alice@jabber.de', 'group', 'gone@conference.example.org'));
  writeFileSync(
    join(out, 'alice@jabber.de', 'group', 'gone@conference.example.org', '2019-01-01.txt'),
    'x\n',
  );
  writeFileSync(join(out, 'notes.md'), 'mine, beside the export');

  await exportAlice('txt', out);
  assert.ok(!existsSync(stale));
  assert.deepEqual(
    listFiles(join(out, 'alice@jabber.de')),
    listFiles(join(GOLDEN_DIR, 'v2-alice', 'txt', 'alice@jabber.de')),
  );
  assert.deepEqual(
    readdirSync(out).sort(),
    ['alice@jabber.de', 'notes.md'],
    'no temporary folder left',
  );
});

test('html: a new export replaces the earlier one; json and sqlite replace their file', async (t) => {
  const out = tempOut(t);
  await exportAlice('html', out);
  writeFileSync(join(out, 'alice@jabber.de', 'chats', '99.html'), 'stale page');
  writeFileSync(join(out, 'alice@jabber.de', 'search', '99-1.js'), 'stale index');
  await exportAlice('html', out);
  assert.deepEqual(
    listFiles(join(out, 'alice@jabber.de')),
    listFiles(join(GOLDEN_DIR, 'v2-alice', 'html', 'alice@jabber.de')),
  );
  writeFileSync(join(out, 'alice@jabber.de.json'), 'old');
  await exportAlice('json', out);
  assert.equal(
    JSON.parse(readFileSync(join(out, 'alice@jabber.de.json'), 'utf8')).schemaVersion,
    1,
  );
  await exportAlice('sqlite', out);
  await exportAlice('sqlite', out);
  assert.deepEqual(readdirSync(out).sort(), [
    'alice@jabber.de',
    'alice@jabber.de.json',
    'alice@jabber.de.sqlite',
  ]);
});

test('an export refuses a folder holding anything else, before writing, and deletes nothing', async (t) => {
  const out = tempOut(t);
  await exportAlice('txt', out);
  const accountDir = join(out, 'alice@jabber.de');
  const before = listFiles(accountDir);
  writeFileSync(join(accountDir, 'my-notes.md'), 'mine');
  await assert.rejects(exportAlice('txt', out), (err: unknown) => {
    assert.ok(err instanceof ExportError);
    assert.match(err.message, /holds my-notes\.md, which is not part of an earlier txt export/);
    assert.match(err.hint, /choose another --out folder/);
    return true;
  });
  assert.equal(readFileSync(join(accountDir, 'my-notes.md'), 'utf8'), 'mine');
  rmSync(join(accountDir, 'my-notes.md'));
  assert.deepEqual(listFiles(accountDir), before);

  // An html export does not replace (or mix into) the txt export of the same folder.
  await assert.rejects(
    exportAlice('html', out),
    /holds 1on1, which is not part of an earlier html/,
  );
  // A folder where the json file would go is not replaced.
  mkdirSync(join(out, 'alice@jabber.de.json'));
  await assert.rejects(exportAlice('json', out), /alice@jabber\.de\.json exists and is not a file/);
  assert.deepEqual(readdirSync(out).sort(), ['alice@jabber.de', 'alice@jabber.de.json']);
  assert.deepEqual(listFiles(accountDir), before);
});

test('a failing export leaves the earlier one as it was and no temporary folder', async (t) => {
  const out = tempOut(t);
  await exportAlice('txt', out);
  const accountDir = join(out, 'alice@jabber.de');
  const before = listFiles(accountDir).map((p) => [p, readFileSync(join(accountDir, p), 'utf8')]);
  const f = await fixtureDatabase('v2-unicode');
  t.after(() => f.cleanup());
  // Another account's rows under alice's name: a run that would change every file, stopped midway.
  f.db.prepare('UPDATE accounts SET username = ?, server = ?').run('alice', 'jabber.de');
  const account = listDatabaseAccounts(f.db)[0];
  assert.equal(account?.jid, 'alice@jabber.de');
  assert.throws(
    () =>
      renderAccount(f.db, account, {
        format: 'txt',
        outDir: out,
        clock: new ZonedClock('UTC'),
        mediaRoots: [],
        onProgress: (e) => {
          if (e.stage === 'writing') throw new Error('disk full');
        },
      }),
    /disk full/,
  );
  assert.deepEqual(
    listFiles(accountDir).map((p) => [p, readFileSync(join(accountDir, p), 'utf8')]),
    before,
  );
  assert.deepEqual(readdirSync(out), ['alice@jabber.de']);
});
