import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addAccount, listAccounts } from './accounts.js';
import { startBulkWrite } from './bulk-write.js';
import { openProfile, openProfileDatabase, profileDatabasePath } from './profile.js';
import { beginTransaction } from './transactions.js';

function tempDir(): { dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-bulk-'));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

const mode = (db: { pragma(s: string, o: { simple: true }): unknown }): unknown =>
  db.pragma('journal_mode', { simple: true });

test('alone on the database, a bulk write uses the rollback journal and gives the WAL back', () => {
  const { dir, done } = tempDir();
  const profile = openProfile(join(dir, 'p'));
  try {
    const cacheBefore = profile.db.pragma('cache_size', { simple: true });
    const bulk = startBulkWrite(profile.db, 4096);
    assert.equal(bulk.withoutWal, true);
    assert.equal(mode(profile.db), 'delete');
    assert.equal(profile.db.pragma('cache_size', { simple: true }), -4096);
    const tx = beginTransaction(profile.db, { immediate: true });
    addAccount(profile.db, { jid: 'kim@example.org', password: 'pw' });
    tx.commit();
    bulk.end();
    assert.equal(mode(profile.db), 'wal');
    assert.equal(profile.db.pragma('cache_size', { simple: true }), cacheBefore);
    assert.equal(existsSync(`${profileDatabasePath(profile.dir)}-journal`), false);
    assert.deepEqual(
      listAccounts(profile.db).map((a) => `${a.username}@${a.server}`),
      ['kim@example.org'],
    );
  } finally {
    profile.close();
    done();
  }
});

test('with another connection open, a bulk write stays in WAL mode (readers keep reading)', () => {
  const { dir, done } = tempDir();
  const profile = openProfile(join(dir, 'p'));
  const reader = openProfileDatabase(profile.dir, { readonly: true });
  try {
    reader.prepare('SELECT count(*) FROM accounts').pluck().get();
    const bulk = startBulkWrite(profile.db, 4096);
    assert.equal(bulk.withoutWal, false);
    assert.equal(mode(profile.db), 'wal');
    const tx = beginTransaction(profile.db, { immediate: true });
    addAccount(profile.db, { jid: 'kim@example.org', password: 'pw' });
    // The reader sees the state before the transaction, without waiting.
    assert.equal(reader.prepare('SELECT count(*) FROM accounts').pluck().get(), 0);
    tx.commit();
    bulk.end();
    assert.equal(reader.prepare('SELECT count(*) FROM accounts').pluck().get(), 1);
  } finally {
    reader.close();
    profile.close();
    done();
  }
});

// A child that starts a bulk write, inserts far more than its page cache holds (so pages reach the
// database file), reports, and waits to be killed.
const CHILD = `
import { openProfile } from './src/store/profile.ts';
import { startBulkWrite } from './src/store/bulk-write.ts';
import { beginTransaction } from './src/store/transactions.ts';
const profile = openProfile(process.argv[1]);
const bulk = startBulkWrite(profile.db, 256);
if (!bulk.withoutWal) throw new Error('expected the rollback journal');
beginTransaction(profile.db, { immediate: true });
const insert = profile.db.prepare('INSERT INTO ferry_settings (key, value) VALUES (?, ?)');
for (let i = 0; i < 20000; i++) insert.run('k' + i, 'x'.repeat(200));
process.stdout.write('written\\n');
setInterval(() => {}, 1000);
`;

test('a bulk write killed in the middle is rolled back at the next open, and WAL mode is back', async () => {
  const { dir, done } = tempDir();
  const profileDir = join(dir, 'p');
  const profile = openProfile(profileDir);
  addAccount(profile.db, { jid: 'lee@example.org', password: 'pw' });
  const sizeBefore = statSync(profileDatabasePath(profileDir)).size;
  profile.close();
  try {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', CHILD, profileDir],
      {
        cwd: join(import.meta.dirname, '..', '..'),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        if (d.toString().includes('written')) resolve();
      });
      child.once('exit', () => reject(new Error(`the child ended: ${stderr}`)));
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const journal = `${profileDatabasePath(profileDir)}-journal`;
    assert.ok(existsSync(journal), 'the killed transaction left its journal');
    assert.equal(statSync(journal).mode & 0o777, 0o600);
    assert.ok(
      statSync(profileDatabasePath(profileDir)).size > sizeBefore,
      'pages reached the file',
    );

    const reopened = openProfile(profileDir);
    try {
      assert.equal(mode(reopened.db), 'wal');
      assert.equal(reopened.db.pragma('integrity_check', { simple: true }), 'ok');
      assert.equal(reopened.db.prepare('SELECT count(*) FROM ferry_settings').pluck().get(), 0);
      assert.deepEqual(
        listAccounts(reopened.db).map((a) => `${a.username}@${a.server}`),
        ['lee@example.org'],
      );
    } finally {
      reopened.close();
    }
    assert.equal(existsSync(journal), false);
  } finally {
    done();
  }
});
