import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CebError,
  DamagedBackupError,
  UnsupportedVersionError,
  WrongPasswordError,
  NotABackupError,
} from '@ferry/ceb-format/header';
import { addAccount, findAccountByJid, isAccountEnabled } from '../store/accounts.js';
import { AccountExistsError, ProfileBusyError } from '../store/errors.js';
import { withProfileLock } from '../store/lock.js';
import { importBackup } from './import-backup.js';
import {
  cebFixtures,
  dumpBackupTables,
  dumpWholeDatabase,
  fixturePath,
  OMEMO_BACKUP,
  tempProfile,
  TEST_DATA,
} from './testing/fixtures.js';

type Line = { table: string; values: Record<string, unknown> };

/**
 * Conversations' own import result (test-data/ceb/*.expected.jsonl), as it is: ferry restores what
 * Conversations restores, including a format-1 file's CRs inside values coming back as `\n` (the
 * same rule as `export`). The format-1 fixtures do hold values with a CR, so this is checked.
 */
function conversationsResult(fixture: {
  expected: string;
  rows?: string;
  format: number;
}): string[] {
  const expected = readFileSync(fixturePath(fixture.expected), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Line);
  if (fixture.format === 1 && fixture.rows) {
    const fileRows = readFileSync(fixturePath(fixture.rows), 'utf8');
    assert.ok(fileRows.includes('\\r'), 'the format-1 fixtures do contain CRs');
  }
  return expected.map((e) => JSON.stringify(e)).sort();
}

for (const fixture of cebFixtures().filter((f) => f.outcome === 'ok')) {
  test(`${fixture.file} imports and the seven tables equal Conversations' import result`, async () => {
    const { profile, cleanup } = tempProfile('import');
    try {
      const result = await importBackup(profile, fixturePath(fixture.file), fixture.password);
      assert.equal(result.jid, fixture.jid);
      assert.equal(result.messages, fixture.messages);
      assert.equal(result.format, fixture.format);
      const dump = dumpBackupTables(profile.db);
      const got = dump.map((l) => JSON.stringify(JSON.parse(l))).sort();
      // Text where Conversations has a number (or the reverse) shows as a difference here…
      assert.deepEqual(got, conversationsResult(fixture));
      // …and a REAL where it has an INTEGER here: the dump writes REAL with '.' or 'e', which
      // JSON.parse would otherwise fold into the same number.
      const reals = (lines: string[]): string[] =>
        lines
          .flatMap(
            (l) =>
              l.match(/"[A-Za-z_]+":-?\d+(?:\.\d+)?[eE][-+]?\d+|"[A-Za-z_]+":-?\d+\.\d+/g) ?? [],
          )
          .sort();
      assert.deepEqual(
        reals(dump),
        reals(readFileSync(fixturePath(fixture.expected), 'utf8').split('\n')),
      );
      const account = findAccountByJid(profile.db, fixture.jid);
      assert.ok(account && !isAccountEnabled(account), 'the account stays disabled');
    } finally {
      cleanup();
    }
  });
}

for (const fixture of cebFixtures().filter((f) => f.outcome !== 'ok')) {
  test(`${fixture.file} is refused and leaves the profile exactly as it was`, async () => {
    const { profile, cleanup } = tempProfile('import');
    try {
      addAccount(profile.db, { jid: 'kim@example.org', password: 'pw' });
      const before = dumpWholeDatabase(profile);
      await assert.rejects(
        importBackup(profile, fixturePath(fixture.file), fixture.password),
        fixture.outcome === 'corrupt' ? DamagedBackupError : UnsupportedVersionError,
      );
      assert.deepEqual(dumpWholeDatabase(profile), before);
      assert.equal(readFileSync(fixturePath(fixture.expected), 'utf8'), '');
    } finally {
      cleanup();
    }
  });
}

test('a wrong password is refused and nothing is imported', async () => {
  const { profile, cleanup } = tempProfile('import');
  try {
    const before = dumpWholeDatabase(profile);
    await assert.rejects(
      importBackup(profile, fixturePath('v2-alice.ceb'), 'not the password'),
      WrongPasswordError,
    );
    assert.deepEqual(dumpWholeDatabase(profile), before);
  } finally {
    cleanup();
  }
});

test('a file damaged in the middle fails authentication and nothing is imported', async () => {
  const { profile, dir, cleanup } = tempProfile('import');
  try {
    const bytes = readFileSync(fixturePath('v1-alice.ceb'));
    const damaged = Buffer.from(bytes);
    const at = Math.floor(bytes.length * 0.8);
    damaged[at] = (damaged[at] ?? 0) ^ 0x01;
    const path = join(dir, 'damaged.ceb');
    writeFileSync(path, damaged);
    const before = dumpWholeDatabase(profile);
    await assert.rejects(
      importBackup(profile, path, 'correct horse battery staple'),
      (err: unknown) => err instanceof CebError && err.code !== 'wrong-password',
    );
    assert.deepEqual(dumpWholeDatabase(profile), before);
  } finally {
    cleanup();
  }
});

test('a file that is not a backup is refused', async () => {
  const { profile, dir, cleanup } = tempProfile('import');
  try {
    const path = join(dir, 'notes.ceb');
    writeFileSync(path, 'just some text, not a backup at all');
    await assert.rejects(importBackup(profile, path, 'x'), NotABackupError);
  } finally {
    cleanup();
  }
});

test('an account that already exists is refused (the guard against clones), profile unchanged', async () => {
  const { profile, cleanup } = tempProfile('import');
  try {
    addAccount(profile.db, { jid: 'Alice@jabber.de', password: 'something else' });
    const before = dumpWholeDatabase(profile);
    await assert.rejects(
      importBackup(profile, fixturePath('v2-alice.ceb'), 'correct horse battery staple'),
      AccountExistsError,
    );
    assert.deepEqual(dumpWholeDatabase(profile), before);
  } finally {
    cleanup();
  }
});

test('while another operation holds the profile, an import is refused at once', async () => {
  const { profile, cleanup } = tempProfile('import');
  try {
    await withProfileLock(profile, 'backup create', async () => {
      await assert.rejects(
        importBackup(profile, fixturePath('v2-alice.ceb'), 'correct horse battery staple'),
        ProfileBusyError,
      );
    });
    assert.equal(findAccountByJid(profile.db, 'alice@jabber.de'), undefined);
  } finally {
    cleanup();
  }
});

test('the OMEMO backup imports with every key row, and several accounts live side by side', async () => {
  const { profile, cleanup } = tempProfile('import');
  try {
    const omemo = await importBackup(profile, OMEMO_BACKUP.v2, OMEMO_BACKUP.password);
    assert.deepEqual(omemo.counts, {
      accounts: 1,
      conversations: 1,
      messages: 6,
      prekeys: 100,
      signed_prekeys: 1,
      sessions: 1,
      identities: 2,
    });
    assert.equal(omemo.omemoKeys, 104);
    await importBackup(profile, fixturePath('v1-unicode.ceb'), 'Grüße aus Köln – пароль 🔑');
    const rows = readFileSync(join(TEST_DATA, 'omemo', 'alice-rows.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Line);
    const sessionKey = rows.find((r) => r.table === 'sessions')?.values.key;
    assert.equal(
      profile.db
        .prepare('SELECT key FROM sessions WHERE account = ?')
        .pluck()
        .get(omemo.accountUuid),
      sessionKey,
    );
  } finally {
    cleanup();
  }
});

test('messages whose files are not on this device are counted, with where they are expected', async () => {
  const { profile, cleanup } = tempProfile('import');
  try {
    // One of the fixture's files is present in the profile's Media folder.
    mkdirSync(join(profile.dir, 'Media'), { recursive: true });
    writeFileSync(join(profile.dir, 'Media', 'IMG_20234264_385755.jpg'), 'jpeg');
    const result = await importBackup(
      profile,
      fixturePath('v2-alice.ceb'),
      'correct horse battery staple',
    );
    assert.equal(result.missingMedia.count, 3);
    assert.equal(result.missingMedia.folder, join(profile.dir, 'Media'));
    const expectedAt = result.missingMedia.examples.map((e) => e.expectedAt);
    assert.ok(
      expectedAt.includes(join(profile.dir, 'Media', 'Conversations Documents', 'ملف.txt')),
    );
    // An Android path lands where a copy of the phone's Conversations/Media folder goes.
    assert.ok(
      expectedAt.includes(
        join(profile.dir, 'Media', 'Conversations Images', 'Grüße aus München 😀.png'),
      ),
    );
  } finally {
    cleanup();
  }
});
