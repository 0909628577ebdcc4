// Hostile input that attacks through the web app: uploads that are refused leave nothing behind,
// a damaged file's job ends, and untrusted text reaches the page with its control characters shown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { parseHeader } from '@ferry/ceb-format';
import { tempDir } from '../migration/testing/fixtures.js';
import { startWebApp, type RunningWebApp } from '../web/server.js';
import { apiClient, type ApiClient } from '../web/testing/api-client.js';
import { variedAccountRows, writtenBackup } from './testing/backups.js';

async function withApp(
  fn: (api: ApiClient, uploads: string, app: RunningWebApp) => Promise<void>,
): Promise<void> {
  const dir = tempDir('web-hostile');
  const uploads = join(dir.dir, 'uploads');
  mkdirSync(uploads);
  const app = await startWebApp({
    profileDir: join(dir.dir, 'profile'),
    connect: false,
    home: dir.dir,
    uploadParent: uploads,
  });
  try {
    await fn(await apiClient(app), uploads, app);
  } finally {
    await app.close();
    dir.cleanup();
  }
}

/** Every file under the upload folder (the app's private folder inside it included). */
function uploadedFiles(uploads: string): string[] {
  return readdirSync(uploads, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => e.name);
}

test('a refused upload (not a backup) is deleted at once, not kept until the app stops', async () => {
  await withApp(async (api, uploads) => {
    const up = await api.upload('/api/imports/upload', 'holiday.ceb', randomBytes(8 * 1024 * 1024));
    assert.equal(up.status, 422, JSON.stringify(up.body));
    assert.deepEqual(uploadedFiles(uploads), []);
  });
});

test('the address of an uploaded backup reaches the page with its control characters shown', async () => {
  await withApp(async (api) => {
    const jid = 'mallory\u001b[2J\u202e@evil.example';
    const [username, server] = jid.split('@') as [string, string];
    const rows = [
      { table: 'accounts' as const, values: { uuid: 'u', username, server, options: 2 } },
    ];
    const up = await api.upload(
      '/api/imports/upload',
      'm.ceb',
      await writtenBackup(rows, { jid, password: 'pw' }),
    );
    assert.equal(up.status, 200, JSON.stringify(up.body));
    assert.equal((up.body.backup as { jid: string }).jid, 'mallory\\x1b[2J\\u202e@evil.example');
  });
});

test('importing a real-sized file with a bit flipped in its body: the job ends "damaged"', async () => {
  await withApp(async (api) => {
    const bytes = await writtenBackup(variedAccountRows('kim@example.org', 20_000), {
      jid: 'kim@example.org',
      password: 'kim-pw',
    });
    const at = parseHeader(bytes).length + 13;
    bytes[at] = (bytes[at] as number) ^ 0x02;
    const up = await api.upload('/api/imports/upload', 'kim.ceb', bytes);
    assert.equal(up.status, 200, JSON.stringify(up.body));
    const started = await api.post('/api/imports', {
      source: (up.body.backup as { source: unknown }).source,
      password: 'kim-pw',
    });
    assert.equal(started.status, 200, JSON.stringify(started.body));
    const job = await api.waitForJob((started.body.job as { id: string }).id, 120_000);
    assert.equal(job.state, 'failed');
    assert.equal(job.error?.kind, 'damaged');
    assert.deepEqual((await api.get('/api/accounts')).body, { accounts: [] });
  });
});

test('Bearer requests skip the CSRF check (cookie ones do not), and docs/web.md says so and why', async () => {
  await withApp(async (_api, _uploads, app) => {
    const token = new URL(app.url).searchParams.get('token') ?? '';
    const post = (headers: Record<string, string>) =>
      fetch(`${app.origin}/api/imports/upload`, { method: 'POST', headers });
    const bearer = (await post({ authorization: `Bearer ${token}` })).status;
    assert.ok(bearer !== 401 && bearer !== 403, `past the guard (got ${bearer}: no file sent)`);
    assert.equal((await post({ cookie: `ferry_token=${token}` })).status, 403, 'no CSRF token');
  });
  const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'web.md'), 'utf8');
  assert.match(doc, /Authorization: Bearer TOKEN` skip the CSRF check/);
  assert.match(doc, /browser never adds an\s+`Authorization` header on its own/);
});
