import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { asConversationsRestores, BACKUP_TABLES, openBackup, readHeader } from '@ferry/ceb-format';
import {
  addAccount,
  findAccountByJid,
  isAccountEnabled,
  listAccounts,
  setAccountEnabled,
} from '../store/accounts.js';
import { insertBackupRows } from '../store/backup-rows.js';
import { ProfileBusyError } from '../store/errors.js';
import { withProfileLock } from '../store/lock.js';
import type { Profile } from '../store/profile.js';
import { createBackups } from './create-backup.js';
import { importBackup } from './import-backup.js';
import {
  dumpBackupTables,
  fixturePath,
  OMEMO_BACKUP,
  tempDir,
  tempProfile,
} from './testing/fixtures.js';

const ALICE = {
  file: 'v1-alice.ceb',
  password: 'correct horse battery staple',
  jid: 'alice@jabber.de',
};
const BJORN = {
  file: 'v1-unicode.ceb',
  password: 'Grüße aus Köln – пароль 🔑',
  jid: 'björn.müller@bücherwurm.example',
};

/** A profile with several accounts, 1:1 and group chats, messages and OMEMO rows, all enabled. */
async function populatedProfile(profile: Profile, format: 1 | 2): Promise<void> {
  const v = format === 1 ? 'v1' : 'v2';
  await importBackup(profile, fixturePath(ALICE.file.replace('v1', v)), ALICE.password);
  await importBackup(profile, fixturePath(BJORN.file.replace('v1', v)), BJORN.password);
  await importBackup(profile, OMEMO_BACKUP[v], OMEMO_BACKUP.password);
  const kim = addAccount(profile.db, {
    jid: 'kim@example.org',
    password: 'kim-pw',
    hostname: '127.0.0.1',
    port: 5333,
  });
  insertBackupRows(profile.db, [
    {
      table: 'conversations',
      values: {
        uuid: 'kim-c1',
        accountUuid: kim.uuid,
        contactJid: 'room@muc.example.org',
        mode: 1n,
        created: 1700000000000n,
        status: 0n,
        attributes: '{}',
      },
    },
    {
      table: 'messages',
      values: {
        uuid: 'kim-m1',
        conversationUuid: 'kim-c1',
        timeSent: 1700000000001n,
        counterpart: 'room@muc.example.org/lee',
        body: "it's a group\r\nline two",
        status: 0n,
        type: 0n,
        encryption: 0n,
        futureColumn: 'from a newer app',
      },
    },
  ]);
  for (const account of listAccounts(profile.db))
    setAccountEnabled(profile.db, `${account.username}@${account.server}`, true);
}

/**
 * The seven tables with the disabled bit set everywhere (the one change a backup makes), and, for
 * format 1, line breaks as Conversations restores them (a CR inside a value comes back as LF).
 */
function withDisabledBit(lines: string[], format: 1 | 2): string[] {
  return lines.map((line) => {
    const row = asConversationsRestores(
      JSON.parse(line) as { table: string; values: Record<string, unknown> },
      format,
    );
    if (row.table === 'accounts') row.values.options = Number(row.values.options) | 2;
    return JSON.stringify(row);
  });
}

for (const format of [1, 2] as const) {
  test(`round trip, format ${format}: create → import into an empty profile gives the same rows except the disabled bit`, async () => {
    const old = tempProfile('old');
    const fresh = tempProfile('new');
    try {
      await populatedProfile(old.profile, format);
      const result = await createBackups(old.profile, { format });
      assert.equal(result.written.length, 4);
      assert.deepEqual(result.stillEnabled.length, 4);
      for (const written of result.written) {
        const password = findAccountByJid(old.profile.db, written.jid)?.password ?? '';
        // What Conversations' importer checks: the seven tables, plain column names, account first
        // and disabled, no roster version.
        const { rows } = await openBackup(written.file, password);
        let first = true;
        for await (const row of rows) {
          assert.ok((BACKUP_TABLES as readonly string[]).includes(row.table));
          for (const column of Object.keys(row.values)) assert.match(column, /^[a-zA-Z_]+$/);
          if (first) {
            assert.equal(row.table, 'accounts');
            assert.equal(Number(row.values.options) & 2, 2);
            assert.equal(row.values.rosterversion ?? null, null);
            first = false;
          }
        }
        const imported = await importBackup(fresh.profile, written.file, password);
        assert.deepEqual(imported.counts, written.counts);
      }
      const before = dumpBackupTables(old.profile.db);
      const after = dumpBackupTables(fresh.profile.db);
      assert.deepEqual(after, withDisabledBit(before, format));
      assert.notDeepEqual(after, before, 'the accounts were enabled on the old device');
      assert.equal(
        fresh.profile.db
          .prepare("SELECT futureColumn FROM messages WHERE uuid = 'kim-m1'")
          .pluck()
          .get(),
        'from a newer app',
      );
    } finally {
      old.cleanup();
      fresh.cleanup();
    }
  });
}

test('backup create writes one 0600 file per account, named as Conversations 2.13+ names them', async () => {
  const { profile, cleanup } = tempProfile('create');
  try {
    await importBackup(profile, fixturePath(ALICE.file), ALICE.password);
    addAccount(profile.db, { jid: 'kim@example.org', password: 'kim-pw' });
    const now = new Date(2026, 10, 28, 9, 5);
    const result = await createBackups(profile, { now });
    const dir = join(profile.dir, 'Backup');
    assert.equal(result.outDir, dir);
    assert.deepEqual(readdirSync(dir).sort(), [
      'alice@jabber.de.2026-11-28-09-05.ceb',
      'kim@example.org.2026-11-28-09-05.ceb',
    ]);
    for (const name of readdirSync(dir)) {
      assert.equal(statSync(join(dir, name)).mode & 0o777, 0o600);
      const { header } = await readHeader(join(dir, name));
      assert.equal(header.version, 2);
      assert.equal(header.timestamp, BigInt(now.getTime()));
      assert.equal(`${header.jid}.2026-11-28-09-05.ceb`, name);
    }
    assert.deepEqual(result.stillEnabled, ['kim@example.org'], 'alice was imported disabled');
  } finally {
    cleanup();
  }
});

test('accounts without a stored password are skipped with the reason; --deactivate disables first', async () => {
  const { profile, cleanup } = tempProfile('create');
  try {
    addAccount(profile.db, { jid: 'kim@example.org', password: 'kim-pw' });
    addAccount(profile.db, { jid: 'nopw@example.org', password: '' });
    const events: string[] = [];
    const result = await createBackups(profile, {
      deactivate: true,
      onProgress: (e) => events.push(e.kind),
    });
    assert.deepEqual(
      result.skipped.map((s) => s.jid),
      ['nopw@example.org'],
    );
    assert.match(result.skipped[0]?.reason ?? '', /password/);
    assert.deepEqual(result.deactivated, ['kim@example.org']);
    assert.deepEqual(result.stillEnabled, []);
    const kim = findAccountByJid(profile.db, 'kim@example.org');
    assert.ok(kim && !isAccountEnabled(kim));
    assert.ok(
      events.includes('skipped') &&
        events.includes('account-start') &&
        events.includes('account-done'),
    );
  } finally {
    cleanup();
  }
});

test('retention keeps the newest N per account and never touches the new file or other accounts', async () => {
  const { profile, cleanup } = tempProfile('create');
  const out = tempDir('out');
  try {
    addAccount(profile.db, { jid: 'kim@example.org', password: 'kim-pw' });
    addAccount(profile.db, { jid: 'lee@example.org', password: 'lee-pw' });
    for (const day of [1, 2, 3]) {
      await createBackups(profile, {
        outDir: out.dir,
        now: new Date(2026, 0, day, 12, 0),
        keep: 10,
      });
    }
    // A stranger's file that merely looks like one of kim's, and a non-backup with kim's name.
    writeFileSync(join(out.dir, 'kim@example.org.2025-01-01-00-00.ceb'), 'not a backup');
    // The new backup is dated *before* the others (clock went back): it must still survive.
    const result = await createBackups(profile, {
      outDir: out.dir,
      now: new Date(2025, 5, 1, 8, 0),
      keep: 2,
      accounts: ['kim@example.org'],
    });
    assert.deepEqual(result.written[0]?.deleted.map((p) => p.slice(out.dir.length + 1)).sort(), [
      'kim@example.org.2026-01-01-12-00.ceb',
      'kim@example.org.2026-01-02-12-00.ceb',
    ]);
    assert.deepEqual(readdirSync(out.dir).sort(), [
      'kim@example.org.2025-01-01-00-00.ceb',
      'kim@example.org.2025-06-01-08-00.ceb',
      'kim@example.org.2026-01-03-12-00.ceb',
      'lee@example.org.2026-01-01-12-00.ceb',
      'lee@example.org.2026-01-02-12-00.ceb',
      'lee@example.org.2026-01-03-12-00.ceb',
    ]);
  } finally {
    cleanup();
    out.cleanup();
  }
});

test('two operations never interleave: a backup while another holds the profile is refused', async () => {
  const { profile, cleanup } = tempProfile('create');
  try {
    addAccount(profile.db, { jid: 'kim@example.org', password: 'kim-pw' });
    await withProfileLock(profile, 'backup import', async () => {
      await assert.rejects(createBackups(profile), ProfileBusyError);
    });
    assert.deepEqual(readdirSync(profile.dir).includes('Backup'), false);
  } finally {
    cleanup();
  }
});
