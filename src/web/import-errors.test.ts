/** The Import screen's API says what went wrong in the user's words, and imports nothing then. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWebApp, type RunningWebApp } from './server.js';
import { apiClient, type ApiClient } from './testing/api-client.js';

const ALICE_PASSWORD = 'correct horse battery staple';
const fixture = (name: string): Uint8Array => readFileSync(join('test-data', 'ceb', name));

async function withApp(fn: (api: ApiClient, app: RunningWebApp) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-web-import-'));
  const app = await startWebApp({ profileDir: join(dir, 'profile'), connect: false, home: dir });
  try {
    await fn(await apiClient(app), app);
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function importUpload(api: ApiClient, name: string, password: string) {
  const up = await api.upload('/api/imports/upload', name, fixture(name));
  assert.equal(up.status, 200, JSON.stringify(up.body));
  const backup = up.body.backup as { source: unknown; jid: string; exists: boolean };
  const started = await api.post('/api/imports', { source: backup.source, password });
  assert.equal(started.status, 200);
  return api.waitForJob((started.body.job as { id: string }).id);
}

test('a damaged file: "damaged or incomplete", nothing imported', async () => {
  await withApp(async (api) => {
    const job = await importUpload(api, 'v2-alice-truncated.ceb', ALICE_PASSWORD);
    assert.equal(job.state, 'failed');
    assert.equal(job.error?.kind, 'damaged');
    assert.match(job.error?.message ?? '', /damaged or incomplete/);
    assert.deepEqual((await api.get('/api/accounts')).body, { accounts: [] });
  });
});

test('a wrong password: said so, nothing imported', async () => {
  await withApp(async (api) => {
    const job = await importUpload(api, 'v1-alice.ceb', 'wrong');
    assert.equal(job.error?.kind, 'wrong-password');
    assert.match(job.error?.message ?? '', /^Wrong password/);
    assert.deepEqual((await api.get('/api/accounts')).body, { accounts: [] });
  });
});

test('a file that is not a backup, or from a newer app, is refused at upload', async () => {
  await withApp(async (api) => {
    const notBackup = await api.upload(
      '/api/imports/upload',
      'notes.ceb',
      new TextEncoder().encode('hello'),
    );
    assert.equal(notBackup.status, 422);
    assert.equal(notBackup.body.error, 'This file is not a Conversations backup.');
    const newer = await api.upload(
      '/api/imports/upload',
      'v99-wrong-version.ceb',
      fixture('v99-wrong-version.ceb'),
    );
    assert.equal(newer.status, 422);
    assert.match(String(newer.body.error), /newer app/);
  });
});

test('an import restores the account disabled; the same backup again is "already here"', async () => {
  await withApp(async (api) => {
    const job = await importUpload(api, 'v2-alice.ceb', ALICE_PASSWORD);
    assert.equal(job.state, 'done', JSON.stringify(job.error));
    const result = job.result as {
      jid: string;
      counts: { label: string; count: number }[];
      missingCount: number;
      missingFiles: string[];
    };
    // The backup's file messages point to files that are not on this device (yet).
    assert.ok(result.missingCount > 0);
    assert.ok(result.missingFiles.length > 0);
    assert.equal(result.jid, 'alice@jabber.de');
    assert.deepEqual(
      result.counts.slice(0, 2).map((c) => [c.label, c.count]),
      [
        ['conversations', 6],
        ['messages', 60],
      ],
    );
    const accounts = (await api.get('/api/accounts')).body.accounts as {
      jid: string;
      state: string;
    }[];
    assert.deepEqual(
      accounts.map((a) => [a.jid, a.state]),
      [['alice@jabber.de', 'disabled']],
    );
    const again = await api.upload('/api/imports/upload', 'v1-alice.ceb', fixture('v1-alice.ceb'));
    assert.equal((again.body.backup as { exists: boolean }).exists, true);
    const second = await api.post('/api/imports', {
      source: (again.body.backup as { source: unknown }).source,
      password: ALICE_PASSWORD,
    });
    const failed = await api.waitForJob((second.body.job as { id: string }).id);
    assert.equal(failed.error?.kind, 'account-exists');
    assert.match(failed.error?.message ?? '', /already set up on this device/);
    // The chats are there, with "unable to decrypt" never shown as text.
    const chats = (await api.get('/api/chats')).body.conversations as { uuid: string }[];
    assert.equal(chats.length, 6);
  });
});

test('the server only imports files it listed or was sent, not any path', async () => {
  await withApp(async (api) => {
    const res = await api.post('/api/imports', { source: { found: '/etc/passwd' }, password: 'x' });
    assert.equal(res.status, 404);
    const res2 = await api.post('/api/imports', {
      source: { upload: '../../etc/passwd' },
      password: 'x',
    });
    assert.equal(res2.status, 404);
  });
});
