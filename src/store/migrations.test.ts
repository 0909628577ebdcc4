import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from './sqlite.js';
import { readAccountState, saveAccountState } from './account-state.js';
import { addAccount } from './accounts.js';
import { readArchivePosition, saveArchivePosition } from './archive-position.js';
import { migrate, MIGRATIONS, SCHEMA_VERSION } from './migrations.js';
import { openProfile } from './profile.js';

function inTempDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-migrations-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A profile as ferry left it before its bookkeeping tables were part of the migrations: schema
 * version 2, and the two tables the XMPP engine created on first use — the account state without
 * the columns added to it later — with rows in them.
 */
function makeOldProfile(dir: string): { accountUuid: string } {
  const db = new Database(join(dir, 'ferry.db'));
  migrate(
    db,
    MIGRATIONS.filter((m) => m.version <= 2),
  );
  const { uuid } = addAccount(db, { jid: 'kim@example.org', password: 'pw' });
  db.exec(`CREATE TABLE ferry_account_state (accountUuid TEXT PRIMARY KEY,
    state TEXT NOT NULL, error TEXT, updatedAt INTEGER NOT NULL)`);
  db.prepare(
    `INSERT INTO ferry_account_state (accountUuid, state, error, updatedAt)
     VALUES (?, 'login-failed', 'wrong password', 1700000000000)`,
  ).run(uuid);
  db.exec(`CREATE TABLE ferry_archive_position (accountUuid TEXT NOT NULL,
    archiveJid TEXT NOT NULL, lastId TEXT NOT NULL, lastTime INTEGER, updatedAt INTEGER NOT NULL,
    PRIMARY KEY (accountUuid, archiveJid))`);
  db.prepare(
    `INSERT INTO ferry_archive_position VALUES (?, 'kim@example.org', 'archive-id-41', 1700000000000, 1700000000000)`,
  ).run(uuid);
  assert.equal(db.pragma('user_version', { simple: true }), 2);
  db.close();
  return { accountUuid: uuid };
}

test('a profile made before the bookkeeping tables were migrations upgrades and keeps their rows', () => {
  inTempDir((dir) => {
    const { accountUuid } = makeOldProfile(dir);
    const profile = openProfile(dir);
    try {
      assert.equal(profile.db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
      // What the old code stored is still read the same way.
      assert.deepEqual(readAccountState(profile.db, accountUuid), {
        accountUuid,
        state: 'login-failed',
        error: 'wrong password',
        updatedAt: 1700000000000,
        hint: null,
        retryAt: null,
        fingerprint: null,
      });
      assert.deepEqual(readArchivePosition(profile.db, accountUuid, 'Kim@example.org'), {
        lastId: 'archive-id-41',
        lastTime: 1700000000000,
      });
      // And the columns added later are there to write.
      saveAccountState(profile.db, accountUuid, 'insecure', 'certificate not trusted', {
        hint: 'ferry account trust-cert',
        fingerprint: 'AB:CD',
      });
      const state = readAccountState(profile.db, accountUuid);
      assert.equal(state?.state, 'insecure');
      assert.equal(state?.hint, 'ferry account trust-cert');
      assert.equal(state?.fingerprint, 'AB:CD');
    } finally {
      profile.close();
    }
  });
});

test('a profile of schema version 2 that never connected gets both tables', () => {
  inTempDir((dir) => {
    const db = new Database(join(dir, 'ferry.db'));
    migrate(
      db,
      MIGRATIONS.filter((m) => m.version <= 2),
    );
    const { uuid } = addAccount(db, { jid: 'kim@example.org', password: 'pw' });
    db.close();
    const profile = openProfile(dir);
    try {
      assert.equal(readAccountState(profile.db, uuid), undefined);
      assert.equal(readArchivePosition(profile.db, uuid, 'kim@example.org'), undefined);
      saveArchivePosition(profile.db, uuid, 'kim@example.org', { lastId: 'x1', lastTime: null });
      saveAccountState(profile.db, uuid, 'online');
      assert.deepEqual(readArchivePosition(profile.db, uuid, 'kim@example.org'), {
        lastId: 'x1',
        lastTime: null,
      });
      assert.equal(readAccountState(profile.db, uuid)?.state, 'online');
    } finally {
      profile.close();
    }
  });
});
