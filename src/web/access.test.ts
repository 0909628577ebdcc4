import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWebApp, type RunningWebApp } from './server.js';
import { plainRequest } from './testing/http.js';

async function withApp(fn: (app: RunningWebApp, token: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-web-access-'));
  const app = await startWebApp({ profileDir: join(dir, 'profile'), connect: false, home: dir });
  try {
    const token = new URL(app.url).searchParams.get('token') ?? '';
    await fn(app, token);
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const cookie = (token: string): string => `ferry_token=${token}`;

test('the app listens on 127.0.0.1 and prints an address with a long random token', async () => {
  await withApp(async (app, token) => {
    assert.equal(new URL(app.url).hostname, '127.0.0.1');
    assert.ok(token.length >= 32, 'token is long');
  });
});

test('requests without the token are refused with 401', async () => {
  await withApp(async (app) => {
    for (const path of [
      '/',
      '/api/accounts',
      '/api/chats',
      '/api/imports/found',
      '/app/app.js',
      '/vendor/preact.mjs',
    ]) {
      const res = await plainRequest(app.origin + path);
      assert.equal(res.status, 401, path);
      assert.match(res.body, /access token/);
    }
    const wrong = await plainRequest(`${app.origin}/api/accounts`, {
      headers: { cookie: cookie('nope') },
    });
    assert.equal(wrong.status, 401);
    const wrongQuery = await plainRequest(`${app.origin}/?token=not-the-token`);
    assert.equal(wrongQuery.status, 401);
  });
});

test('a browser opening the app without the token gets a page that says what to do, not JSON', async () => {
  await withApp(async (app) => {
    const res = await plainRequest(`${app.origin}/`, {
      headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' },
    });
    assert.equal(res.status, 401);
    assert.match(String(res.headers['content-type']), /^text\/html/);
    assert.match(res.body, /<h1>This page needs the access token\.<\/h1>/);
    assert.match(res.body, /<code>ferry web<\/code> printed in the terminal/);
    assert.doesNotMatch(res.body, /"error"/);
  });
});

test('the token in the address sets a strict, http-only cookie and is removed from the address', async () => {
  await withApp(async (app, token) => {
    const res = await plainRequest(app.url);
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, '/');
    const setCookie = String(res.headers['set-cookie']);
    assert.match(setCookie, new RegExp(`ferry_token=${token}`));
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Strict/);
    const page = await plainRequest(`${app.origin}/`, { headers: { cookie: cookie(token) } });
    assert.equal(page.status, 200);
    assert.match(String(page.headers['content-security-policy']), /default-src 'self'/);
    assert.equal(page.headers['x-frame-options'], 'DENY');
    const accounts = await plainRequest(`${app.origin}/api/accounts`, {
      headers: { cookie: cookie(token) },
    });
    assert.equal(accounts.status, 200);
    assert.deepEqual(JSON.parse(accounts.body), { accounts: [] });
  });
});

test('another Host name (DNS rebinding) is refused even with the token', async () => {
  await withApp(async (app, token) => {
    const res = await plainRequest(`${app.origin}/api/accounts`, {
      headers: { cookie: cookie(token), host: `evil.example:${app.port}` },
    });
    assert.equal(res.status, 403);
    const ok = await plainRequest(`${app.origin}/api/accounts`, {
      headers: { cookie: cookie(token), host: `localhost:${app.port}` },
    });
    assert.equal(ok.status, 200);
  });
});

test('cross-site requests are refused, and changes need the page’s CSRF token', async () => {
  await withApp(async (app, token) => {
    const body = JSON.stringify({ jid: 'kim@example.org', password: 'secret-pw' });
    const json = { 'content-type': 'application/json', cookie: cookie(token) };
    // Another site posting (a form or fetch from evil.example): Origin tells.
    const fromEvil = await plainRequest(`${app.origin}/api/accounts`, {
      method: 'POST',
      headers: { ...json, origin: 'http://evil.example' },
      body,
    });
    assert.equal(fromEvil.status, 403);
    // Another local app on another port of 127.0.0.1 is another origin too.
    const fromOtherPort = await plainRequest(`${app.origin}/api/accounts`, {
      method: 'POST',
      headers: { ...json, origin: `http://127.0.0.1:${app.port + 1}` },
      body,
    });
    assert.equal(fromOtherPort.status, 403);
    const crossSiteGet = await plainRequest(`${app.origin}/api/accounts`, {
      headers: { cookie: cookie(token), 'sec-fetch-site': 'cross-site' },
    });
    assert.equal(crossSiteGet.status, 403);
    // Same origin but without the CSRF token (e.g. a form that rode on the cookie).
    const noCsrf = await plainRequest(`${app.origin}/api/accounts`, {
      method: 'POST',
      headers: json,
      body,
    });
    assert.equal(noCsrf.status, 403);
    // The page's own request: the CSRF token from the page.
    const page = await plainRequest(`${app.origin}/`, { headers: { cookie: cookie(token) } });
    const csrf = /name="ferry-csrf" content="([^"]+)"/.exec(page.body)?.[1];
    assert.ok(csrf);
    const ok = await plainRequest(`${app.origin}/api/accounts`, {
      method: 'POST',
      headers: { ...json, origin: app.origin, 'x-ferry-csrf': csrf },
      body,
    });
    assert.equal(ok.status, 200, ok.body);
    assert.equal(JSON.parse(ok.body).account.jid, 'kim@example.org');
    assert.ok(!ok.body.includes('secret-pw'), 'the password is not sent back');
    const list = await plainRequest(`${app.origin}/api/accounts`, {
      headers: { cookie: cookie(token) },
    });
    assert.ok(!list.body.includes('secret-pw'));
  });
});

test('scripts may use the token as a Bearer header', async () => {
  await withApp(async (app, token) => {
    const res = await plainRequest(`${app.origin}/api/accounts`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(res.status, 200);
    const bad = await plainRequest(`${app.origin}/api/accounts`, {
      headers: { authorization: 'Bearer x' },
    });
    assert.equal(bad.status, 401);
  });
});
