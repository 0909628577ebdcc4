import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openProfile } from './profile.js';
import {
  accountJid,
  addAccount,
  findAccountByJid,
  isAccountEnabled,
  listAccounts,
  setAccountEnabled,
} from './accounts.js';
import Database from './sqlite.js';
import {
  AccountExistsError,
  AccountNotFoundError,
  InvalidJidError,
  ProfileTooNewError,
} from './errors.js';
import { migrate, MIGRATIONS, SCHEMA_VERSION } from './migrations.js';

function withProfile(fn: (p: ReturnType<typeof openProfile>) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-accounts-'));
  const profile = openProfile(dir);
  try {
    fn(profile);
  } finally {
    profile.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a new profile has the current schema version and the seven tables', () => {
  withProfile(({ db }) => {
    assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
      .pluck()
      .all() as string[];
    for (const t of [
      'accounts',
      'conversations',
      'messages',
      'prekeys',
      'signed_prekeys',
      'sessions',
      'identities',
    ]) {
      assert.ok(tables.includes(t), t);
    }
  });
});

test('reopening a profile keeps its data and does not rerun migrations', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-accounts-'));
  try {
    const p1 = openProfile(dir);
    addAccount(p1.db, { jid: 'kim@example.org', password: 'pw' });
    p1.close();
    const p2 = openProfile(dir);
    assert.equal(listAccounts(p2.db).length, 1);
    p2.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('account add stores the columns Conversations has, enabled, with a random resource', () => {
  withProfile(({ db }) => {
    const row = addAccount(db, { jid: 'kim@example.org', password: 's3cret' });
    assert.equal(row.username, 'kim');
    assert.equal(row.server, 'example.org');
    assert.equal(row.password, 's3cret');
    assert.equal(row.keys, '{}');
    assert.equal(row.port, 5222);
    assert.match(row.uuid, /^[0-9a-f-]{36}$/);
    assert.match(row.resource ?? '', /^ferry\.[A-Za-z0-9]{4}$/);
    assert.equal(isAccountEnabled(row), true);
    assert.equal(accountJid(row), 'kim@example.org');
    assert.equal(findAccountByJid(db, 'Kim@Example.ORG')?.uuid, row.uuid);
  });
});

test('account add refuses a duplicate and an address that is not name@server', () => {
  withProfile(({ db }) => {
    addAccount(db, { jid: 'kim@example.org', password: 'pw' });
    assert.throws(
      () => addAccount(db, { jid: 'KIM@example.org', password: 'x' }),
      AccountExistsError,
    );
    assert.throws(() => addAccount(db, { jid: 'example.org', password: 'x' }), InvalidJidError);
    assert.throws(
      () => addAccount(db, { jid: 'kim@example.org/phone', password: 'x' }),
      InvalidJidError,
    );
    assert.equal(listAccounts(db).length, 1);
  });
});

test('enable and disable flip only the disabled bit (options bit 1)', () => {
  withProfile(({ db }) => {
    addAccount(db, { jid: 'kim@example.org', password: 'pw' });
    db.prepare('UPDATE accounts SET options = 192').run();
    const off = setAccountEnabled(db, 'kim@example.org', false);
    assert.equal(off.options, 194);
    assert.equal(isAccountEnabled(off), false);
    const on = setAccountEnabled(db, 'kim@example.org', true);
    assert.equal(on.options, 192);
    assert.throws(() => setAccountEnabled(db, 'nobody@example.org', true), AccountNotFoundError);
  });
});

test('an older profile is migrated step by step; a newer one is refused, untouched', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-migrate-'));
  try {
    // A profile as the first schema version left it.
    const db = new Database(join(dir, 'ferry.db'));
    assert.equal(migrate(db, MIGRATIONS.slice(0, 1)), 0);
    assert.equal(db.pragma('user_version', { simple: true }), 1);
    db.close();
    const p = openProfile(dir);
    assert.equal(p.db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    assert.ok(p.db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'ferry_settings'").get());
    p.db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    p.close();
    assert.throws(() => openProfile(dir), ProfileTooNewError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
