import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addAccount, listAccounts } from './accounts.js';
import { openProfile } from './profile.js';
import { createScratchDatabase } from './scratch-database.js';
import { beginTransaction, inTransaction, withBusyTimeout } from './transactions.js';

function inTempDir(fn: (dir: string) => Promise<void> | void): Promise<void> | void {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-tx-'));
  const done = () => rmSync(dir, { recursive: true, force: true });
  try {
    const r = fn(dir);
    if (r instanceof Promise) return r.finally(done);
    done();
  } catch (err) {
    done();
    throw err;
  }
}

test('a transaction around asynchronous work keeps everything or nothing', async () => {
  await inTempDir(async (dir) => {
    const profile = openProfile(join(dir, 'p'));
    try {
      await assert.rejects(
        inTransaction(
          profile.db,
          async () => {
            addAccount(profile.db, { jid: 'kim@example.org', password: 'pw' });
            await new Promise((resolve) => setImmediate(resolve));
            throw new Error('the backup ended early');
          },
          { immediate: true },
        ),
        /ended early/,
      );
      assert.deepEqual(listAccounts(profile.db), [], 'nothing of the failed transaction is kept');
      assert.equal(profile.db.inTransaction, false);
      const jid = await inTransaction(profile.db, async () => {
        await new Promise((resolve) => setImmediate(resolve));
        return addAccount(profile.db, { jid: 'kim@example.org', password: 'pw' }).username;
      });
      assert.equal(jid, 'kim');
      assert.equal(listAccounts(profile.db).length, 1);
    } finally {
      profile.close();
    }
  });
});

test('a transaction handle ends once, and not on a closed connection', () => {
  inTempDir((dir) => {
    const profile = openProfile(join(dir, 'p'));
    const tx = beginTransaction(profile.db);
    addAccount(profile.db, { jid: 'kim@example.org', password: 'pw' });
    tx.commit();
    tx.rollback(); // already ended: nothing happens
    assert.equal(listAccounts(profile.db).length, 1);
    const snapshot = beginTransaction(profile.db);
    profile.close();
    snapshot.commit(); // connection closed meanwhile: no error
  });
});

test('the busy wait is changed for one call only', () => {
  inTempDir((dir) => {
    const profile = openProfile(join(dir, 'p'));
    try {
      const during = withBusyTimeout(profile.db, 20, () =>
        profile.db.pragma('busy_timeout', { simple: true }),
      );
      assert.equal(during, 20);
      assert.equal(profile.db.pragma('busy_timeout', { simple: true }), 5000);
    } finally {
      profile.close();
    }
  });
});

test("a scratch database is private, has Conversations' tables, and refuses an existing file", () => {
  inTempDir((dir) => {
    const path = join(dir, 'scratch.db');
    const db = createScratchDatabase(path);
    try {
      assert.equal(statSync(path).mode & 0o777, 0o600);
      const tables = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .pluck()
        .all();
      assert.deepEqual(tables, [
        'accounts',
        'conversations',
        'identities',
        'messages',
        'prekeys',
        'sessions',
        'signed_prekeys',
      ]);
    } finally {
      db.close();
    }
    assert.throws(() => createScratchDatabase(path), { code: 'EEXIST' });
  });
});
