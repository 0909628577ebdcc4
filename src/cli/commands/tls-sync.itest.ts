/**
 * `ferry` against a Prosody with STARTTLS required, as a user runs it: the test CA trusted through
 * NODE_EXTRA_CA_CERTS; `ferry sync` with OMEMO (its device-list fetch gets an early error reply)
 * repeated, none may end with an unhandled rejection; a self-signed server refused with its
 * fingerprint, `ferry account trust-cert` with it, then the sync works.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFerry } from '../testing/run-ferry.js';
import { startProsody } from '../../xmpp/testing/prosody.js';
import { createTestCa } from '../../xmpp/testing/test-ca.js';
import { connectContact } from '../../xmpp/testing/contact.js';

const RUNS = 6;

test(`ferry sync over TLS, ${RUNS} times in a row: every run exits 0 (no reply, early or late, ends the process)`, async (t) => {
  const ca = createTestCa();
  t.after(() => ca.remove());
  const server = await startProsody({ tls: ca.issue('ferry.test') });
  t.after(() => server.stop());
  await server.register('alice', 'pw-a');
  await server.register('bob', 'pw-b');
  const dir = mkdtempSync(join(tmpdir(), 'ferry-tls-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pwFile = join(dir, 'pw');
  writeFileSync(pwFile, 'pw-a\n');
  const env = { NODE_EXTRA_CA_CERTS: ca.certPath };
  const ferry = (...args: string[]) => runFerry(['--profile', join(dir, 'p'), ...args], env);
  const added = await ferry(
    'account',
    'add',
    'alice@ferry.test',
    '--password-file',
    pwFile,
    '--hostname',
    '127.0.0.1',
    '--port',
    String(server.port),
  );
  assert.equal(added.code, 0, added.stderr);
  const bob = await connectContact(server, 'bob', 'pw-b', 'test', { ca: ca.pem });
  t.after(() => bob.stop());
  for (let i = 1; i <= RUNS; i++) {
    await bob.say('alice@ferry.test', `message ${i}`);
    const sync = await ferry('sync');
    assert.equal(sync.code, 0, `run ${i}: ${sync.stderr}`);
    assert.doesNotMatch(sync.stderr, /internal error|Node\.js v/);
    assert.match(sync.stdout, new RegExp(`bob@ferry\\.test: message ${i}`));
  }
});

test('a self-signed server: ferry sync shows the fingerprint and the trust-cert command; after it, the sync works', async (t) => {
  const ca = createTestCa();
  t.after(() => ca.remove());
  const server = await startProsody({ tls: ca.selfSigned('ferry.test') });
  t.after(() => server.stop());
  await server.register('alice', 'pw-a');
  const dir = mkdtempSync(join(tmpdir(), 'ferry-tls-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pwFile = join(dir, 'pw');
  writeFileSync(pwFile, 'pw-a\n');
  const ferry = (...args: string[]) => runFerry(['--profile', join(dir, 'p'), ...args]);
  assert.equal(
    (
      await ferry(
        'account',
        'add',
        'alice@ferry.test',
        '--password-file',
        pwFile,
        '--hostname',
        '127.0.0.1',
        '--port',
        String(server.port),
      )
    ).code,
    0,
  );
  const refused = await ferry('sync', '--no-omemo');
  assert.equal(refused.code, 1, refused.stderr);
  assert.match(refused.stderr, /TLS failed: the certificate of ferry\.test is self-signed/);
  const command = /ferry account trust-cert alice@ferry\.test ([0-9A-F:]{95})/.exec(refused.stderr);
  assert.ok(command?.[1], refused.stderr);
  const listed = await ferry('account', 'list');
  assert.match(listed.stdout, /last connection: TLS failed/);

  const bad = await ferry('account', 'trust-cert', 'alice@ferry.test', 'nonsense');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /is not a SHA-256 fingerprint/);

  const trusted = await ferry('account', 'trust-cert', 'alice@ferry.test', command[1]);
  assert.equal(trusted.code, 0, trusted.stderr);
  const sync = await ferry('sync', '--no-omemo');
  assert.equal(sync.code, 0, sync.stderr);
  assert.match(sync.stdout, /alice@ferry\.test: nothing new/);
});

test('ferry account set points a restored account at its server and clears it again', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-account-set-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pwFile = join(dir, 'pw');
  writeFileSync(pwFile, 'pw\n');
  const ferry = (...args: string[]) => runFerry(['--profile', join(dir, 'p'), ...args]);
  assert.equal(
    (await ferry('account', 'add', 'kim@example.org', '--password-file', pwFile)).code,
    0,
  );
  const set = await ferry(
    'account',
    'set',
    'kim@example.org',
    '--hostname',
    'xmpp.example.org',
    '--port',
    '5223',
  );
  assert.equal(set.code, 0, set.stderr);
  assert.match(set.stdout, /kim@example\.org connects to xmpp\.example\.org:5223/);
  const json = JSON.parse((await ferry('account', 'list', '--json')).stdout) as {
    hostname: string | null;
    port: number | null;
  }[];
  assert.deepEqual([json[0]?.hostname, json[0]?.port], ['xmpp.example.org', 5223]);
  const cleared = await ferry('account', 'set', 'kim@example.org', '--clear-server');
  assert.match(cleared.stdout, /its server as found through DNS \(example\.org\)/);
  const nothing = await ferry('account', 'set', 'kim@example.org');
  assert.equal(nothing.code, 2);
  assert.match(nothing.stderr, /nothing to change/);
  const unknown = await ferry('account', 'set', 'nobody@example.org', '--port', '5222');
  assert.notEqual(unknown.code, 0);
  assert.match(unknown.stderr, /there is no account nobody@example\.org/);
});

test("the README's three steps against a TLS server: backup create --deactivate, import, enable && sync", async (t) => {
  const ca = createTestCa();
  t.after(() => ca.remove());
  const server = await startProsody({ tls: ca.issue('ferry.test') });
  t.after(() => server.stop());
  await server.register('alice', 'pw-a');
  await server.register('bob', 'pw-b');
  const dir = mkdtempSync(join(tmpdir(), 'ferry-tls-move-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pwFile = join(dir, 'pw');
  writeFileSync(pwFile, 'pw-a\n');
  const env = { NODE_EXTRA_CA_CERTS: ca.certPath };
  const oldDevice = (...a: string[]) => runFerry(['--profile', join(dir, 'old'), ...a], env);
  const newDevice = (...a: string[]) => runFerry(['--profile', join(dir, 'new'), ...a], env);
  const add = await oldDevice(
    'account',
    'add',
    'alice@ferry.test',
    '--password-file',
    pwFile,
    '--hostname',
    '127.0.0.1',
    '--port',
    String(server.port),
  );
  assert.equal(add.code, 0, add.stderr);
  assert.equal((await oldDevice('sync', '--no-omemo')).code, 0);
  const usb = join(dir, 'usb');
  const created = await oldDevice('backup', 'create', '--deactivate', '--out', usb);
  assert.equal(created.code, 0, created.stderr);
  const file = /(\S+\.ceb)/.exec(created.stdout)?.[1];
  assert.ok(file, created.stdout);
  const bob = await connectContact(server, 'bob', 'pw-b', 'test', { ca: ca.pem });
  t.after(() => bob.stop());
  await bob.say('alice@ferry.test', 'welcome to the new device');
  const imported = await newDevice('backup', 'import', file, '--password-file', pwFile);
  assert.equal(imported.code, 0, imported.stderr);
  assert.equal((await newDevice('account', 'enable', 'alice@ferry.test')).code, 0);
  const sync = await newDevice('sync');
  assert.equal(sync.code, 0, sync.stderr);
  assert.match(sync.stdout, /bob@ferry\.test: welcome to the new device/);
});
