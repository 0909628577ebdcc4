// The import restores the rows on a worker thread of its own (import-on-thread.ts): the profile
// must end up exactly as an import on the calling thread leaves it, failures must come back as the
// same typed errors with the same words, and no thread may outlive its import.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DamagedBackupError,
  MalformedContentError,
  WrongPasswordError,
} from '@ferry/ceb-format/header';
import { craftBackup } from '@ferry/ceb-format/testing';
import { AccountExistsError } from '../store/errors.js';
import { importBackup } from './import-backup.js';
import { liveImportThreads } from './import-on-thread.js';
import { dumpWholeDatabase, fixturePath, tempProfile } from './testing/fixtures.js';
import { addSyntheticAccount } from './testing/synthetic-profile.js';

const ALICE = fixturePath('v2-alice.ceb');
const ALICE_PASSWORD = 'correct horse battery staple';

async function failure(work: () => Promise<unknown>): Promise<Error> {
  try {
    await work();
  } catch (err) {
    return err as Error;
  }
  assert.fail('expected the import to fail');
}

test('on its own thread or on the caller’s, an import leaves the same profile', async () => {
  const dumps: string[][] = [];
  for (const thread of [true, false]) {
    const { profile, cleanup } = tempProfile(`thread-${String(thread)}`);
    try {
      const events: string[] = [];
      const result = await importBackup(profile, ALICE, ALICE_PASSWORD, {
        thread,
        onProgress: (e) => events.push(e.kind),
      });
      assert.equal(result.jid, 'alice@jabber.de');
      assert.deepEqual([events[0], events.at(-1)], ['start', 'committed']);
      dumps.push(dumpWholeDatabase(profile));
      assert.equal(liveImportThreads(), 0);
    } finally {
      cleanup();
    }
  }
  assert.ok((dumps[0] ?? []).length > 0);
  assert.deepEqual(dumps[0], dumps[1]);
});

test('failures on the import thread come back as the same typed errors, nothing kept', async () => {
  const { profile, dir, cleanup } = tempProfile('thread-errors');
  try {
    addSyntheticAccount(profile, 'other@example.org', 'other', 20);
    const before = dumpWholeDatabase(profile);
    const bad = join(dir, 'bad.ceb');
    const body = JSON.stringify([
      { table: 'accounts', values: { uuid: 'a', username: 'bad', server: 'example.org' } },
      { table: 'messages', values: { uuid: 'm', conversationUuid: 'nowhere' } },
    ]);
    writeFileSync(bad, await craftBackup(body, { jid: 'bad@example.org', password: 'pw' }));
    const damaged = join(dir, 'damaged.ceb');
    const bytes = await craftBackup(body, { jid: 'bad@example.org', password: 'pw' });
    bytes[bytes.length - 3] = (bytes[bytes.length - 3] ?? 0) ^ 1;
    writeFileSync(damaged, bytes);
    const cases: [string, string, abstract new (...args: never[]) => Error][] = [
      [bad, 'pw', MalformedContentError],
      [damaged, 'pw', DamagedBackupError],
      [ALICE, 'not the password', WrongPasswordError],
    ];
    for (const [file, password, type] of cases) {
      const onThread = await failure(() => importBackup(profile, file, password, { thread: true }));
      const here = await failure(() => importBackup(profile, file, password, { thread: false }));
      assert.ok(onThread instanceof type, `${String(onThread)} is a ${type.name}`);
      assert.equal(onThread.message, here.message);
      assert.equal((onThread as { code?: string }).code, (here as { code?: string }).code);
      assert.deepEqual(dumpWholeDatabase(profile), before);
    }
    const malformed = await failure(() => importBackup(profile, bad, 'pw', { thread: true }));
    assert.ok(malformed instanceof MalformedContentError);
    assert.match(malformed.where, /row 2/);
    await importBackup(profile, ALICE, ALICE_PASSWORD);
    const again = await failure(() =>
      importBackup(profile, ALICE, ALICE_PASSWORD, { thread: true }),
    );
    assert.ok(again instanceof AccountExistsError);
    assert.equal(liveImportThreads(), 0);
  } finally {
    cleanup();
  }
});
