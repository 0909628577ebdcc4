// Hostile input that attacks other accounts: a correctly encrypted backup (valid password, valid
// tag) of mallory whose rows reach for alice's data, already on the device. Every row must belong
// to the backup's own account; otherwise the file is refused and nothing changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MalformedContentError, type DbRow, type FormatVersion } from '@ferry/ceb-format';
import { importBackup } from '../migration/import-backup.js';
import { dumpWholeDatabase, tempProfile } from '../migration/testing/fixtures.js';
import { addSyntheticAccount } from '../migration/testing/synthetic-profile.js';
import { writtenBackup } from './testing/backups.js';

const MALLORY = 'mallory@evil.example';
const PASSWORD = 'mallory-pw';

function malloryAccount(extra: Record<string, string | number> = {}): DbRow {
  return {
    table: 'accounts',
    values: {
      uuid: 'mallory-uuid',
      username: 'mallory',
      server: 'evil.example',
      options: 2,
      ...extra,
    },
  };
}

const MALLORY_CONVERSATION: DbRow = {
  table: 'conversations',
  values: { uuid: 'mallory-conv', accountUuid: 'mallory-uuid', contactJid: 'eve@evil.example' },
};

/** A profile holding alice (conversations, messages, a prekey and a session). */
function profileWithAlice(): ReturnType<typeof tempProfile> & { alice: string; conv: string } {
  const t = tempProfile('alice-device');
  const alice = addSyntheticAccount(t.profile, 'alice@example.org', 'alice-pw', 20);
  const conv = String(
    t.profile.db
      .prepare('SELECT uuid FROM conversations WHERE accountUuid = ? LIMIT 1')
      .pluck()
      .get(alice),
  );
  t.profile.db
    .prepare('INSERT INTO prekeys (account, id, key) VALUES (?, 1, ?)')
    .run(alice, 'alice-prekey');
  t.profile.db
    .prepare('INSERT INTO sessions (account, name, device_id, key) VALUES (?, ?, 7, ?)')
    .run(alice, 'bob@example.org', 'alice-session-with-bob');
  return { ...t, alice, conv };
}

async function importRefused(
  rows: (alice: string, conv: string) => DbRow[],
  version: FormatVersion,
  expected: RegExp,
  jid = MALLORY,
): Promise<void> {
  const t = profileWithAlice();
  try {
    const file = join(t.dir, 'mallory.ceb');
    writeFileSync(
      file,
      await writtenBackup(rows(t.alice, t.conv), { jid, password: PASSWORD, version }),
    );
    const before = dumpWholeDatabase(t.profile);
    await assert.rejects(importBackup(t.profile, file, PASSWORD), (err: unknown) => {
      assert.ok(err instanceof MalformedContentError, String(err));
      assert.match(err.message, expected);
      return true;
    });
    assert.deepEqual(dumpWholeDatabase(t.profile), before, 'nothing changed');
  } finally {
    t.cleanup();
  }
}

for (const version of [1, 2] as const) {
  test(`format ${version}: a prekey row with alice's account uuid is refused, naming the table`, async () => {
    await importRefused(
      (alice) => [
        malloryAccount(),
        { table: 'prekeys', values: { account: alice, id: 1, key: 'evil' } },
      ],
      version,
      /row 2 \(table prekeys\).*another account/,
    );
  });

  test(`format ${version}: a session row replacing alice's session with bob is refused`, async () => {
    await importRefused(
      (alice) => [
        malloryAccount(),
        {
          table: 'sessions',
          values: { account: alice, name: 'bob@example.org', device_id: 7, key: 'evil' },
        },
      ],
      version,
      /table sessions.*another account/,
    );
  });

  test(`format ${version}: a message "INJECTED" into alice's conversation is refused`, async () => {
    await importRefused(
      (_alice, conv) => [
        malloryAccount(),
        MALLORY_CONVERSATION,
        {
          table: 'messages',
          values: { uuid: 'injected', conversationUuid: conv, body: 'INJECTED', timeSent: 1 },
        },
      ],
      version,
      /row 3 \(table messages\).*conversation/,
    );
  });

  test(`format ${version}: a conversation under alice's account is refused`, async () => {
    await importRefused(
      (alice) => [
        malloryAccount(),
        {
          table: 'conversations',
          values: { uuid: 'planted', accountUuid: alice, contactJid: 'eve@evil.example' },
        },
      ],
      version,
      /table conversations.*another account/,
    );
  });

  test(`format ${version}: a signed prekey and an identity of alice are refused`, async () => {
    await importRefused(
      (alice) => [
        malloryAccount(),
        { table: 'signed_prekeys', values: { account: alice, id: 1, key: 'k' } },
      ],
      version,
      /table signed_prekeys.*another account/,
    );
    await importRefused(
      (alice) => [
        malloryAccount(),
        {
          table: 'identities',
          values: {
            account: alice,
            name: 'eve@evil.example',
            ownkey: 0,
            fingerprint: 'f',
            key: 'k',
          },
        },
      ],
      version,
      /table identities.*another account/,
    );
  });

  test(`format ${version}: a second accounts row is refused (one account per file)`, async () => {
    await importRefused(
      () => [
        malloryAccount(),
        {
          table: 'accounts',
          values: { uuid: 'trudy-uuid', username: 'trudy', server: 'evil.example', options: 0 },
        },
      ],
      version,
      /row 2 \(table accounts\).*second accounts row/,
    );
  });

  test(`format ${version}: a header for mallory over an accounts row for trudy is refused`, async () => {
    await importRefused(
      () => [
        {
          table: 'accounts',
          values: { uuid: 'trudy-uuid', username: 'trudy', server: 'evil.example', options: 2 },
        },
      ],
      version,
      /"trudy@evil\.example".*header says "mallory@evil\.example"/,
    );
  });
}

test('the same rows, all of mallory, import: the checks refuse only what belongs to someone else', async () => {
  const t = profileWithAlice();
  try {
    const file = join(t.dir, 'mallory.ceb');
    const rows: DbRow[] = [
      malloryAccount(),
      MALLORY_CONVERSATION,
      {
        table: 'messages',
        values: { uuid: 'm1', conversationUuid: 'mallory-conv', body: 'hi', timeSent: 1 },
      },
      { table: 'prekeys', values: { account: 'mallory-uuid', id: 1, key: 'k' } },
      {
        table: 'sessions',
        values: { account: 'mallory-uuid', name: 'bob@example.org', device_id: 7, key: 'k' },
      },
    ];
    writeFileSync(file, await writtenBackup(rows, { jid: MALLORY, password: PASSWORD }));
    const result = await importBackup(t.profile, file, PASSWORD);
    assert.equal(result.messages, 1);
    const aliceSession = t.profile.db
      .prepare('SELECT key FROM sessions WHERE account = ? AND name = ?')
      .pluck()
      .get(t.alice, 'bob@example.org');
    assert.equal(aliceSession, 'alice-session-with-bob');
  } finally {
    t.cleanup();
  }
});
