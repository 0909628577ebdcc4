/**
 * Transport security against real parts: Prosody with TLS and a per-run test CA (openssl), a
 * Prosody without TLS, a proxy that strips STARTTLS, and direct TLS found through an SRV record
 * served by a real dnsmasq on loopback.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openProfile, type Profile } from '../store/profile.js';
import { addAccount, findAccountByJid } from '../store/accounts.js';
import { pinCertificate, connectionSettings } from '../store/account-settings.js';
import { Engine } from './engine.js';
import { readAccountState } from '../store/account-state.js';
import { freePort, startProsody } from './testing/prosody.js';
import { createTestCa } from './testing/test-ca.js';
import { startXmppProxy } from './testing/xmpp-proxy.js';
import { waitUntil } from './testing/contact.js';

const fast = { backoff: { initialMs: 50, maxMs: 400 }, watchAccountsMs: 0 };

function tempProfile(t: TestContext): Profile {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-tls-'));
  const profile = openProfile(dir);
  t.after(() => {
    profile.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return profile;
}

function testCa(t: TestContext) {
  const ca = createTestCa();
  t.after(() => ca.remove());
  return ca;
}

test('TLS Prosody: ferry connects with the test CA trusted, over STARTTLS, with SCRAM-SHA-256 remembered', async (t) => {
  const ca = testCa(t);
  const server = await startProsody({ tls: ca.issue('ferry.test') });
  t.after(() => server.stop());
  await server.register('alice', 'pw-a');
  const profile = tempProfile(t);
  addAccount(profile.db, { jid: 'alice@ferry.test', password: 'pw-a', ...server.accountOptions });
  const [report] = await new Engine(profile, { ...fast, extraCaCertificates: [ca.pem] }).sync();
  assert.equal(report?.error, undefined);
  assert.equal(report?.caughtUp, true);
  const row = findAccountByJid(profile.db, 'alice@ferry.test')!;
  assert.equal(connectionSettings(row).pinnedMechanism, 'SCRAM-SHA-256');

  // Without the CA the same server is refused: its issuer is unknown here.
  const [untrusted] = await new Engine(profile, fast).sync();
  assert.equal(untrusted?.state, 'insecure');
  assert.match(untrusted?.error ?? '', /signed by an authority this computer does not trust/);
});

test('a certificate for another name, or self-signed, is refused with its reason; trust-cert with the shown fingerprint lets it in; a changed one is refused again', async (t) => {
  const ca = testCa(t);
  const wrongName = await startProsody({ tls: ca.issue('other.example') });
  t.after(() => wrongName.stop());
  await wrongName.register('alice', 'pw-a');
  const p1 = tempProfile(t);
  addAccount(p1.db, { jid: 'alice@ferry.test', password: 'pw-a', ...wrongName.accountOptions });
  const [named] = await new Engine(p1, { ...fast, extraCaCertificates: [ca.pem] }).sync();
  assert.equal(named?.state, 'insecure');
  assert.match(
    named?.error ?? '',
    /certificate presented for ferry\.test is for another name \(other\.example\)/,
  );
  const stored = readAccountState(p1.db, findAccountByJid(p1.db, 'alice@ferry.test')!.uuid);
  assert.match(stored?.hint ?? '', /ferry account trust-cert alice@ferry\.test [0-9A-F:]{95}/);

  const selfSigned = ca.selfSigned('ferry.test');
  const server = await startProsody({ tls: selfSigned });
  t.after(() => server.stop());
  await server.register('alice', 'pw-a');
  const profile = tempProfile(t);
  addAccount(profile.db, { jid: 'alice@ferry.test', password: 'pw-a', ...server.accountOptions });
  const engine = () => new Engine(profile, fast);
  const [refused] = await engine().sync();
  assert.equal(refused?.state, 'insecure');
  assert.match(refused?.error ?? '', /the certificate of ferry\.test is self-signed/);
  const fingerprint = /SHA-256 fingerprint: ([0-9A-F:]+)/.exec(refused?.error ?? '')?.[1];
  assert.ok(fingerprint, 'the fingerprint is shown');
  // The fingerprint shown is the certificate's own (as openssl computes it).
  const { X509Certificate } = await import('node:crypto');
  assert.equal(fingerprint, new X509Certificate(selfSigned.pem).fingerprint256);

  pinCertificate(profile.db, 'alice@ferry.test', fingerprint);
  const [trusted] = await engine().sync();
  assert.equal(trusted?.error, undefined);
  assert.equal(trusted?.caughtUp, true);

  // The server gets another self-signed certificate: refused again, saying it changed.
  await server.halt();
  const replacement = ca.selfSigned('ferry.test');
  const other = await startProsody({ tls: replacement });
  t.after(() => other.stop());
  await other.register('alice', 'pw-a');
  profile.db.prepare('UPDATE accounts SET port = ?').run(other.port);
  const [changed] = await engine().sync();
  assert.equal(changed?.state, 'insecure');
  assert.match(changed?.error ?? '', /changed since you trusted it/);
});

test('a Prosody without TLS is refused before any login: the capture shows no <auth>', async (t) => {
  const server = await startProsody();
  t.after(() => server.stop());
  await server.register('alice', 'pw-a');
  const capture = await startXmppProxy({ port: server.port });
  t.after(() => capture.stop());
  const profile = tempProfile(t);
  // No plaintext opt-in: this is what every real account looks like.
  addAccount(profile.db, {
    jid: 'alice@ferry.test',
    password: 'pw-a',
    hostname: '127.0.0.1',
    port: capture.port,
  });
  const [report] = await new Engine(profile, fast).sync();
  assert.equal(report?.state, 'insecure');
  assert.match(
    report?.error ?? '',
    /offers no encryption \(no STARTTLS\): ferry never logs in without TLS/,
  );
  assert.ok(capture.connections() >= 1, 'ferry did connect');
  assert.match(capture.fromClient(), /<stream:stream/);
  assert.doesNotMatch(capture.fromClient(), /<auth|pw-a/);

  // The opt-in exists for test servers on loopback, and then the login works.
  profile.db
    .prepare(`UPDATE accounts SET keys = '{"ferry_allow_plaintext_loopback":"true"}'`)
    .run();
  const [optedIn] = await new Engine(profile, fast).sync();
  assert.equal(optedIn?.error, undefined);
});

test('a proxy that strips <starttls/> from the features: refused, and it saw no <auth>', async (t) => {
  const ca = testCa(t);
  const server = await startProsody({ tls: ca.issue('ferry.test') });
  t.after(() => server.stop());
  await server.register('alice', 'pw-a');
  const proxy = await startXmppProxy({ port: server.port }, { stripStartTls: true });
  t.after(() => proxy.stop());
  const profile = tempProfile(t);
  addAccount(profile.db, {
    jid: 'alice@ferry.test',
    password: 'pw-a',
    hostname: '127.0.0.1',
    port: proxy.port,
  });
  const [report] = await new Engine(profile, { ...fast, extraCaCertificates: [ca.pem] }).sync();
  assert.equal(report?.state, 'insecure');
  assert.match(report?.error ?? '', /offers no encryption/);
  assert.match(proxy.fromClient(), /<stream:stream/);
  assert.doesNotMatch(proxy.fromClient(), /<auth|<starttls|pw-a/);
});

async function startDnsmasq(t: TestContext, args: string[]): Promise<number> {
  const port = await freePort();
  const child = spawn(
    'dnsmasq',
    [
      '--keep-in-foreground',
      '--no-resolv',
      '--no-hosts',
      '--no-poll',
      '--bind-interfaces',
      '--listen-address=127.0.0.1',
      `--port=${port}`,
      '--user=root',
      '--pid-file=',
      ...args,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  t.after(() => {
    child.kill('SIGTERM');
  });
  const { Resolver } = await import('node:dns/promises');
  const r = new Resolver();
  r.setServers([`127.0.0.1:${port}`]);
  await waitUntil(
    async () =>
      child.exitCode === null &&
      (await r.resolve4('dns-ready.test').then(
        () => true,
        () => false,
      )),
    10_000,
    `dnsmasq to answer (${stderr})`,
  );
  return port;
}

test('direct TLS found through an SRV record served by dnsmasq on loopback, preferred over STARTTLS', async (t) => {
  const ca = testCa(t);
  const server = await startProsody({ tls: { ...ca.issue('ferry.test'), directTls: true } });
  t.after(() => server.stop());
  await server.register('alice', 'pw-a');
  // Same priority for STARTTLS, but through a proxy that strips it: were it tried first, the
  // account would be refused as insecure.
  const stripping = await startXmppProxy({ port: server.port }, { stripStartTls: true });
  t.after(() => stripping.stop());
  const dnsPort = await startDnsmasq(t, [
    '--host-record=dns-ready.test,127.0.0.1',
    '--host-record=xmpp.ferry.test,127.0.0.1',
    `--srv-host=_xmpps-client._tcp.ferry.test,xmpp.ferry.test,${server.directTlsPort},10,1`,
    `--srv-host=_xmpp-client._tcp.ferry.test,xmpp.ferry.test,${stripping.port},10,100`,
  ]);
  const profile = tempProfile(t);
  // Restored as from a backup: no hostname, port 5222.
  addAccount(profile.db, { jid: 'alice@ferry.test', password: 'pw-a' });
  const [report] = await new Engine(profile, {
    ...fast,
    extraCaCertificates: [ca.pem],
    dnsServers: [`127.0.0.1:${dnsPort}`],
  }).sync();
  assert.equal(report?.error, undefined);
  assert.equal(report?.caughtUp, true);
  assert.equal(stripping.connections(), 0, 'direct TLS came first');
});

test('no silent SASL downgrade: an account that used SCRAM-SHA-256 refuses a server offering only SCRAM-SHA-1', async (t) => {
  const server = await startProsody({ passwordHash: 'SHA-1' });
  t.after(() => server.stop());
  await server.register('alice', 'pw-a');
  const profile = tempProfile(t);
  addAccount(profile.db, { jid: 'alice@ferry.test', password: 'pw-a', ...server.accountOptions });
  profile.db.prepare(`UPDATE accounts SET pinned_mechanism = 'SCRAM-SHA-256'`).run();
  const [report] = await new Engine(profile, fast).sync();
  assert.equal(report?.state, 'insecure');
  assert.match(
    report?.error ?? '',
    /offers only .*SCRAM-SHA-1.*, but SCRAM-SHA-256 was used before/,
  );
  assert.match(report?.hint ?? '', /--forget-login-method/);
  // A fresh account on the same server logs in with SCRAM-SHA-1 and remembers it.
  profile.db.prepare('UPDATE accounts SET pinned_mechanism = NULL').run();
  const [fresh] = await new Engine(profile, fast).sync();
  assert.equal(fresh?.error, undefined);
  const row = findAccountByJid(profile.db, 'alice@ferry.test')!;
  assert.equal(connectionSettings(row).pinnedMechanism, 'SCRAM-SHA-1');
});
