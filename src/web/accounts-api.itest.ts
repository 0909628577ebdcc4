/** The Accounts screen's API: add, enable, disable, and the state with the reason in words. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../xmpp/testing/prosody.js';
import { startWebApp } from './server.js';
import { apiClient } from './testing/api-client.js';

interface AccountView {
  jid: string;
  enabled: boolean;
  state: string;
  error?: string;
}

test('an account whose server does not answer is shown as "unreachable" with the reason', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-web-accounts-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const app = await startWebApp({ profileDir: join(dir, 'profile'), home: dir });
  t.after(() => app.close());
  const api = await apiClient(app);
  const closedPort = await freePort(); // nothing listens there

  const bad = await api.post('/api/accounts', { jid: 'not an address', password: 'x' });
  assert.equal(bad.status, 409);
  assert.match(String(bad.body.error), /not an account address/);
  const noPassword = await api.post('/api/accounts', { jid: 'kim@example.org', password: '' });
  assert.equal(noPassword.status, 400);

  const added = await api.post('/api/accounts', {
    jid: 'kim@example.org',
    password: 'pw',
    hostname: '127.0.0.1',
    port: String(closedPort),
  });
  assert.equal(added.status, 200, JSON.stringify(added.body));
  const again = await api.post('/api/accounts', { jid: 'KIM@example.org', password: 'pw' });
  assert.equal(again.status, 409);
  assert.equal(again.body.kind, 'account-exists');

  const until = Date.now() + 15_000;
  let kim: AccountView | undefined;
  while (Date.now() < until) {
    kim = ((await api.get('/api/accounts')).body.accounts as AccountView[])[0];
    if (kim?.state === 'unreachable') break;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.equal(kim?.state, 'unreachable');
  assert.ok((kim?.error ?? '').length > 0, 'the reason is given');

  const disabled = await api.post('/api/accounts/kim%40example.org/disable', {});
  assert.equal((disabled.body.account as AccountView).state, 'disabled');
  const enabled = await api.post('/api/accounts/kim%40example.org/enable', {});
  assert.equal((enabled.body.account as AccountView).enabled, true);
  const missing = await api.post('/api/accounts/nobody%40example.org/enable', {});
  assert.equal(missing.status, 404);
});

test('the add form with its optional server fields left empty works; server settings and trust-cert check their input', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-web-accounts-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const app = await startWebApp({ profileDir: join(dir, 'profile'), home: dir });
  t.after(() => app.close());
  const api = await apiClient(app);
  // What the browser posts with "Server settings (optional)" closed: the fields, empty.
  const added = await api.post('/api/accounts', {
    jid: 'kim@example.org',
    password: 'pw',
    hostname: '',
    port: '',
  });
  assert.equal(added.status, 200, JSON.stringify(added.body));
  assert.equal((added.body.account as { hostname: unknown }).hostname, null);
  const wrongPort = await api.post('/api/accounts', {
    jid: 'lee@example.org',
    password: 'pw',
    port: '0',
  });
  assert.equal(wrongPort.status, 400);

  const closedPort = await freePort();
  const set = await api.post('/api/accounts/kim%40example.org/server', {
    hostname: '127.0.0.1',
    port: String(closedPort),
  });
  assert.equal(set.status, 200, JSON.stringify(set.body));
  const view = set.body.account as { hostname: unknown; port: unknown };
  assert.deepEqual([view.hostname, view.port], ['127.0.0.1', closedPort]);
  const until = Date.now() + 15_000;
  let kim: (AccountView & { hint?: string; retryAt?: number }) | undefined;
  while (Date.now() < until) {
    kim = ((await api.get('/api/accounts')).body.accounts as (typeof kim)[])[0];
    if (kim?.state === 'unreachable' && kim.retryAt) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  // The same words as the CLI: what happened, a hint, and when ferry tries again.
  assert.equal(kim?.state, 'unreachable');
  assert.match(
    kim?.error ?? '',
    /cannot reach the server of kim@example\.org at 127\.0\.0\.1:\d+: connection refused by the server/,
  );
  assert.match(kim?.hint ?? '', /ferry account set kim@example\.org --hostname HOST --port PORT/);
  assert.ok((kim?.retryAt ?? 0) > Date.now() - 60_000, 'the next try is given');

  const cleared = await api.post('/api/accounts/kim%40example.org/server', {
    hostname: '',
    port: '',
  });
  assert.equal((cleared.body.account as { hostname: unknown }).hostname, null);
  const badFingerprint = await api.post('/api/accounts/kim%40example.org/trust-cert', {
    fingerprint: 'AB',
  });
  assert.equal(badFingerprint.status, 400);
  const fp = Array.from({ length: 32 }, () => 'AB').join(':');
  const trusted = await api.post('/api/accounts/kim%40example.org/trust-cert', {
    fingerprint: fp.toLowerCase(),
  });
  assert.equal(trusted.status, 200, JSON.stringify(trusted.body));
  const missing = await api.post('/api/accounts/nobody%40example.org/trust-cert', {
    fingerprint: fp,
  });
  assert.equal(missing.status, 404);
});
