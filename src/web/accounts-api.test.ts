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
