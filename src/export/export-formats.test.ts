import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import Database from '../store/sqlite.js';
import { dumpBackupTables } from '../store/dump.js';
import { exportBackupFile } from './export-chats.js';
import type { ExportFormat } from './render-account.js';
import {
  CEB_FIXTURES,
  FIXTURE_NAMES,
  FIXTURE_PASSWORDS,
  GOLDEN_DIR,
  GOLDEN_EXPORTED_AT,
  GOLDEN_TZ,
  type FixtureName,
} from './testing/fixtures.js';

// Outputs were reviewed by eye once, then pinned here. To re-pin after a deliberate change:
//   UPDATE_GOLDEN=1 node --import tsx --test src/export/export-formats.test.ts   (and review the diff)
const UPDATE = process.env.UPDATE_GOLDEN === '1';

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

function compareWithGolden(actualDir: string, goldenDir: string): void {
  if (UPDATE) {
    rmSync(goldenDir, { recursive: true, force: true });
    for (const file of listFiles(actualDir)) {
      mkdirSync(join(goldenDir, file, '..'), { recursive: true });
      writeFileSync(join(goldenDir, file), readFileSync(join(actualDir, file)));
    }
    return;
  }
  const files = listFiles(actualDir);
  assert.deepEqual(files, listFiles(goldenDir), 'the same files as pinned');
  for (const file of files) {
    assert.equal(
      readFileSync(join(actualDir, file), 'utf8'),
      readFileSync(join(goldenDir, file), 'utf8'),
      `${file} matches the pinned output`,
    );
  }
}

async function exportFixture(name: FixtureName, format: ExportFormat, out: string) {
  return exportBackupFile(join(CEB_FIXTURES, `${name}.ceb`), FIXTURE_PASSWORDS[name], {
    format,
    outDir: out,
    timeZone: GOLDEN_TZ,
    exportedAt: GOLDEN_EXPORTED_AT,
  });
}

const PINNED: [FixtureName, ExportFormat][] = [
  ...FIXTURE_NAMES.flatMap((n): [FixtureName, ExportFormat][] => [
    [n, 'txt'],
    [n, 'json'],
  ]),
  ['v2-alice', 'html'],
  ['v2-unicode', 'html'],
];

for (const [name, format] of PINNED) {
  test(`${name}.ceb as ${format} matches the pinned output`, async (t) => {
    const out = mkdtempSync(join(tmpdir(), 'ferry-export-'));
    t.after(() => rmSync(out, { recursive: true, force: true }));
    const result = await exportFixture(name, format, out);
    assert.equal(result.messages, name.endsWith('alice') ? 60 : 30);
    assert.deepEqual(
      readdirSync(out).filter((f) => f.startsWith('.')),
      [],
      'no temporary file left behind',
    );
    compareWithGolden(out, join(GOLDEN_DIR, name, format));
  });
}

test('txt: awkward bodies come out right (quotes, newlines, CR, NUL, RTL, HTML-like)', async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'ferry-export-'));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  await exportFixture('v2-alice', 'txt', out);
  const dir = join(out, 'alice@jabber.de');
  const read = (p: string) => readFileSync(join(dir, p), 'utf8');
  const jonas = read('1on1/jonas_rossi@conversations.im/2020-01-01.txt');
  assert.ok(jonas.includes(`03:56 <- it's\n         not 'over'\n         'yet'\n         '\n`));
  assert.ok(jonas.includes("15:34 <- <b>bold</b> & &amp; <script>alert('x')</script>\n"));
  assert.ok(jonas.includes('05:51 <- مرحبا بالعالم! كيف حالك؟ ١٢٣ and 123\n'));
  assert.ok(jonas.includes('23:41 <- Incoming call. Duration 2200 seconds\n'));
  const ivan = read('1on1/ivan_schmidt@éxample.fr/2020-01-01.txt');
  assert.ok(ivan.includes('03:19 <- windows line\n         second windows line\n         \n'));
  assert.ok(ivan.includes('07:45 <- beforeafter\n'), 'NUL characters removed');
  assert.ok(!ivan.includes('\r'));
  const team = read('group/team-ops@chat.404.city/2020-01-01.txt');
  assert.ok(
    team.includes('02:55 Alice -> line one\n               line two\n               line three\n'),
  );
  assert.ok(team.includes('17:04 Emma1991 <- tab\tseparated\tvalues\n'));
  const dimitris = read('1on1/δημήτρης@jabber.fr/2020-01-01.txt');
  assert.ok(dimitris.includes('😀👍🏽 family 👨\u200d👩\u200d👧\u200d👦 flags 🇩🇪🇫🇷'));
  assert.ok(dimitris.includes('03:21 <- old mac line\n         second old mac line\n'));
});

test('json: stable schema, exact bodies, ISO-8601 times in the chosen zone', async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'ferry-export-'));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  const result = await exportFixture('v2-alice', 'json', out);
  const doc = JSON.parse(readFileSync(result.path, 'utf8'));
  assert.equal(doc.schema, 'ferry-export');
  assert.equal(doc.schemaVersion, 1);
  assert.equal(doc.timeZone, 'Europe/Berlin');
  assert.deepEqual(doc.account, { jid: 'alice@jabber.de', displayName: null });
  assert.equal(doc.conversations.length, 6);
  const all = doc.conversations.flatMap((c: { messages: unknown[] }) => c.messages);
  assert.equal(all.length, 60);
  const byBody = (b: string) => all.find((m: { body: string }) => m.body === b);
  assert.ok(byBody('before\u0000after\u0000'), 'format 2 keeps NUL exactly');
  assert.ok(byBody('windows line\r\nsecond windows line\r\n'));
  assert.ok(byBody("<b>bold</b> & &amp; <script>alert('x')</script>"));
  const first = byBody("It's Bob's \"quoted\" text with 'single' quotes and ''two'' in a row");
  assert.equal(first.time, '2020-01-01T01:08:01.422+01:00');
  assert.equal(first.direction, 'received');
  assert.equal(first.sender, 'jonas_rossi@conversations.im');
  const file = all.find((m: { type: string }) => m.type === 'file');
  assert.equal(file.file.name, 'ملف.txt');
  assert.equal(file.file.path, 'Conversations Documents/ملف.txt');
  const group = doc.conversations.find(
    (c: { jid: string }) => c.jid === 'linux53@conference.jabber.de',
  );
  assert.equal(group.kind, 'group');
  assert.equal(group.name, 'Linux53 room');
  const nickMsg = group.messages.find((m: { nick: string }) => m.nick === 'مريم1993 🍕');
  assert.equal(nickMsg.senderJid, 'carol@disroot.org');
  for (const c of doc.conversations) {
    const times = c.messages.map((m: { timestamp: number }) => m.timestamp);
    assert.deepEqual(
      times,
      [...times].sort((a: number, b: number) => a - b),
    );
  }
});

test('json from format 1 shows what Conversations restores (CR as LF, NUL gone, digits as numbers)', async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'ferry-export-'));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  const result = await exportFixture('v1-alice', 'json', out);
  const doc = JSON.parse(readFileSync(result.path, 'utf8'));
  const bodies = doc.conversations.flatMap((c: { messages: { body: string }[] }) =>
    c.messages.map((m) => m.body),
  );
  assert.ok(bodies.includes('windows line\nsecond windows line\n'));
  assert.ok(bodies.includes('beforeafter'));
  assert.ok(bodies.includes('7'));
  assert.ok(bodies.includes('1.23456789012346e+19'));
});

for (const name of FIXTURE_NAMES) {
  test(`${name}.ceb as sqlite: the database Conversations' import makes`, async (t) => {
    const out = mkdtempSync(join(tmpdir(), 'ferry-export-'));
    t.after(() => rmSync(out, { recursive: true, force: true }));
    const expected = readFileSync(join(CEB_FIXTURES, `${name}.expected.jsonl`), 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      // The fixture escapes U+2028/U+2029 in its JSON; the dump writes them as they are.
      .map((l) => l.replace(/\\u2028/g, '\u2028').replace(/\\u2029/g, '\u2029'));
    const full = await exportBackupFile(
      join(CEB_FIXTURES, `${name}.ceb`),
      FIXTURE_PASSWORDS[name],
      {
        format: 'sqlite',
        outDir: out,
        withSecrets: true,
      },
    );
    assert.equal(statSync(full.path).mode & 0o777, 0o600);
    let db = new Database(full.path, { readonly: true });
    assert.deepEqual(dumpBackupTables(db), expected);
    db.close();

    // Without --with-secrets: no password, no OMEMO keys, everything else the same.
    const plain = await exportBackupFile(
      join(CEB_FIXTURES, `${name}.ceb`),
      FIXTURE_PASSWORDS[name],
      {
        format: 'sqlite',
        outDir: out,
      },
    );
    db = new Database(plain.path, { readonly: true });
    const dump = dumpBackupTables(db);
    db.close();
    const chats = expected.filter((l) => /^\{"table":"(conversations|messages)"/.test(l));
    assert.deepEqual(
      dump.filter((l) => /^\{"table":"(conversations|messages)"/.test(l)),
      chats,
    );
    assert.equal(
      dump.filter((l) => /^\{"table":"(prekeys|signed_prekeys|sessions|identities)"/.test(l))
        .length,
      0,
    );
    const account = JSON.parse(dump[0] ?? '{}');
    assert.equal(account.values.password, null);
    assert.equal(account.values.username, name.endsWith('alice') ? 'alice' : 'björn.müller');
    assert.deepEqual(readdirSync(out).sort(), [`${full.account}.sqlite`]);
  });
}

test('a damaged backup exports nothing and leaves no temporary file', async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'ferry-export-'));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  for (const format of ['txt', 'sqlite'] as const) {
    await assert.rejects(
      exportBackupFile(
        join(CEB_FIXTURES, 'v2-alice-truncated.ceb'),
        FIXTURE_PASSWORDS['v2-alice'],
        {
          format,
          outDir: out,
        },
      ),
      (err: Error & { code?: string }) => err.code === 'damaged',
    );
  }
  assert.deepEqual(readdirSync(out), []);
});

test('the HTML export marks files, encryption and calls with drawn icons, not emoji', () => {
  // Emoji render as empty boxes on a computer without an emoji font; the pages are checked
  // against the pinned output above, so the pinned pages are what an export writes.
  const withHtml = FIXTURE_NAMES.filter((n) => existsSync(join(GOLDEN_DIR, n, 'html')));
  assert.ok(withHtml.length > 0);
  const markers = { files: 0, locks: 0 };
  for (const name of withHtml) {
    const dir = join(GOLDEN_DIR, name, 'html');
    let files = 0;
    let locks = 0;
    for (const file of listFiles(dir).filter((f) => f.endsWith('.html'))) {
      const page = readFileSync(join(dir, file), 'utf8');
      const markup = page.replace(/<div class="body[^"]*" dir="auto">[^<]*<\/div>/g, '');
      assert.doesNotMatch(markup, /📎|🔒|📞/u, `${name}/${file}: no emoji marker`);
      files += (page.match(/<div class="file"><svg class="icon"/g) ?? []).length;
      locks += (page.match(/aria-label="encrypted"/g) ?? []).length;
    }
    markers.files += files;
    markers.locks += locks;
  }
  assert.ok(markers.files > 0 && markers.locks > 0, 'file and lock markers are drawn');
});
