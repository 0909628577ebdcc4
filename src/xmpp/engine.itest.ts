import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openProfile, type Profile } from '../store/profile.js';
import { addAccount, findAccountByJid, setAccountEnabled } from '../store/accounts.js';
import { findConversation } from '../store/conversations.js';
import { listMessages, MESSAGE_STATUS } from '../store/messages.js';
import { readAccountState } from '../store/account-state.js';
import { startProsody, type ProsodyServer } from './testing/prosody.js';
import { connectContact, waitUntil } from './testing/contact.js';
import { startXmppProxy } from './testing/xmpp-proxy.js';
import { Engine, type StoredMessageEvent } from './engine.js';
import { xml } from '@xmpp/client';

function tempProfile(t: { after(fn: () => void): void }): Profile {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-engine-'));
  const profile = openProfile(dir);
  t.after(() => {
    profile.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return profile;
}

function addTestAccount(profile: Profile, server: ProsodyServer, user: string, password: string) {
  return addAccount(profile.db, {
    jid: `${user}@${server.domain}`,
    password,
    ...server.accountOptions,
    resource: 'ferry.test',
  });
}

const fast = { backoff: { initialMs: 50, maxMs: 400 }, watchAccountsMs: 0 };

test('sync: first connect fetches a bounded window, later syncs fetch what was missed once, in order', async (t) => {
  const server = await startProsody();
  t.after(() => server.stop());
  await server.register('alice', 'pw-a');
  await server.register('bob', 'pw-b');
  const profile = tempProfile(t);
  addTestAccount(profile, server, 'alice', 'pw-a');
  const alice = `alice@${server.domain}`;

  const bob = await connectContact(server, 'bob', 'pw-b');
  t.after(() => bob.stop());
  // Alice's phone is online meanwhile, so these are archived but not kept for offline delivery.
  const phone = await connectContact(server, 'alice', 'pw-a', 'phone');
  for (let i = 1; i <= 8; i++) await bob.say(alice, `old ${i}`);
  await phone.waitForMessages(8);
  await phone.stop();

  const engine = new Engine(profile, { ...fast, catchup: { firstConnectWindow: 5, pageSize: 2 } });
  const [first] = await engine.sync();
  assert.ok(first);
  assert.equal(first.error, undefined);
  assert.equal(first.caughtUp, true);
  const conv = findConversation(profile.db, findAccountByJid(profile.db, alice)!.uuid, bob.jid);
  assert.ok(conv, 'conversation created');
  assert.equal(conv.contactJid, bob.jid);
  assert.equal(conv.mode, 0);
  assert.deepEqual(
    listMessages(profile.db, conv.uuid).map((m) => m.body),
    ['old 4', 'old 5', 'old 6', 'old 7', 'old 8'],
    'the newest five (the window), oldest first',
  );

  for (let i = 1; i <= 5; i++) await bob.say(alice, `new ${i}`);
  const [second] = await engine.sync(alice);
  assert.ok(second);
  assert.deepEqual(
    second.received.map((e) => e.message.body),
    ['new 1', 'new 2', 'new 3', 'new 4', 'new 5'],
  );
  const all = listMessages(profile.db, conv.uuid);
  assert.equal(all.length, 10);
  for (const m of all.slice(5)) {
    assert.equal(m.status, MESSAGE_STATUS.received);
    assert.equal(m.read, 0);
    assert.ok(m.serverMsgId, 'archive id stored');
    assert.ok(m.remoteMsgId, 'sender id stored');
    assert.match(m.counterpart ?? '', new RegExp(`^${bob.jid}/`));
    assert.ok(Math.abs(m.timeSent - Date.now()) < 60_000, 'server timestamp');
  }
  const [third] = await engine.sync();
  assert.equal(third?.received.length, 0, 'nothing is stored twice');
  assert.equal(
    readAccountState(profile.db, findAccountByJid(profile.db, alice)!.uuid)?.state,
    'offline',
  );
});

test('run: live messages, carbons from another device, receipts, sending; dedup against the archive', async (t) => {
  const server = await startProsody();
  t.after(() => server.stop());
  await server.register('alice', 'pw-a');
  await server.register('bob', 'pw-b');
  const profile = tempProfile(t);
  addTestAccount(profile, server, 'alice', 'pw-a');
  const alice = `alice@${server.domain}`;
  const bob = await connectContact(server, 'bob', 'pw-b');
  t.after(() => bob.stop());
  const alicePhone = await connectContact(server, 'alice', 'pw-a', 'phone');
  t.after(() => alicePhone.stop());

  const engine = new Engine(profile, fast);
  const events: StoredMessageEvent[] = [];
  engine.on('message', (e: StoredMessageEvent) => events.push(e));
  const caughtUp = new Promise((resolve) => engine.once('catchup-done', resolve));
  await engine.start();
  t.after(() => engine.stop());
  await caughtUp;

  await bob.say(alice, 'live hello', { receipt: true });
  await waitUntil(
    () => events.some((e) => e.message.body === 'live hello'),
    10_000,
    'live message',
  );
  const live = events.find((e) => e.message.body === 'live hello')!;
  assert.equal(live.source, 'live');
  assert.ok(live.message.serverMsgId);

  // A message alice sends from her phone reaches ferry as a carbon copy.
  await alicePhone.say(bob.jid, 'from my phone');
  await waitUntil(() => events.some((e) => e.message.body === 'from my phone'), 10_000, 'carbon');
  const carbon = events.find((e) => e.message.body === 'from my phone')!;
  assert.equal(carbon.source, 'carbon');
  assert.equal(carbon.message.carbon, 1);
  assert.equal(carbon.message.status, MESSAGE_STATUS.sent);

  const sent = await engine.sendMessage(alice, bob.jid, 'hi from ferry');
  const got = await bob.waitForMessages(1, (m) => m.body === 'hi from ferry');
  assert.equal(got[0]?.id, sent.uuid);
  // bob acknowledges with a receipt: the message becomes "received".
  await bob.xmpp.send(receiptEl(alice, sent.uuid));
  const conv = findConversation(profile.db, findAccountByJid(profile.db, alice)!.uuid, bob.jid)!;
  await waitUntil(
    () =>
      listMessages(profile.db, conv.uuid).find((m) => m.uuid === sent.uuid)?.status ===
      MESSAGE_STATUS.sentReceived,
    10_000,
    'receipt',
  );
  // Roster and presence: a roster change from the phone is pushed; bob's subscription request
  // and (directed) presence are seen.
  const requests: string[] = [];
  engine.on('subscription-request', (e: { from: string }) => requests.push(e.from));
  await alicePhone.xmpp.iqCaller.request(
    xml(
      'iq',
      { type: 'set' },
      xml('query', { xmlns: 'jabber:iq:roster' }, xml('item', { jid: bob.jid, name: 'Bob' })),
    ),
  );
  await waitUntil(() => engine.roster(alice).some((i) => i.jid === bob.jid), 10_000, 'roster push');
  assert.equal(engine.roster(alice)[0]?.name, 'Bob');
  await bob.xmpp.send(xml('presence', { to: alice, type: 'subscribe' }));
  await waitUntil(() => requests.includes(bob.jid), 10_000, 'subscription request');
  await bob.xmpp.send(xml('presence', { to: `${alice}/ferry.test` }));
  await waitUntil(() => engine.isContactOnline(alice, bob.jid), 10_000, 'bob online');
  await engine.stop();

  // A later sync fetches the same messages from the archive: none is stored twice.
  const [report] = await new Engine(profile, fast).sync();
  assert.equal(report?.received.length, 0);
  const bodies = listMessages(profile.db, conv.uuid).map((m) => m.body);
  assert.deepEqual(bodies, ['live hello', 'from my phone', 'hi from ferry']);
});

test('login failures are stored in words and not retried; an unreachable server is retried with backoff', async (t) => {
  const server = await startProsody();
  t.after(() => server.stop());
  await server.register('alice', 'pw-a');
  const profile = tempProfile(t);
  addTestAccount(profile, server, 'alice', 'wrong');
  const alice = `alice@${server.domain}`;
  const engine = new Engine(profile, fast);
  const states: string[] = [];
  engine.on('account-state', (e: { state: string }) => states.push(e.state));
  const [report] = await engine.sync();
  assert.equal(report?.state, 'login-failed');
  assert.match(report?.error ?? '', /wrong password/);
  const stored = readAccountState(profile.db, findAccountByJid(profile.db, alice)!.uuid);
  assert.equal(stored?.state, 'login-failed');
  assert.match(stored?.error ?? '', /refused the login/);

  // Staying online with a wrong password: one attempt, no retry storm.
  states.length = 0;
  await engine.start();
  await new Promise((r) => setTimeout(r, 600)); // several backoff periods would have passed
  await engine.stop();
  assert.equal(states.filter((s) => s === 'connecting').length, 1, states.join(','));

  // Unreachable: retried with growing delays, comes online when the server is back.
  profile.db.prepare('UPDATE accounts SET password = ?').run('pw-a');
  await server.halt();
  const retrying = new Engine(profile, fast);
  const seen: { state: string; at: number }[] = [];
  retrying.on('account-state', (e: { state: string }) =>
    seen.push({ state: e.state, at: Date.now() }),
  );
  await retrying.start();
  t.after(() => retrying.stop());
  await waitUntil(
    () => seen.filter((s) => s.state === 'unreachable').length >= 3,
    10_000,
    'retries',
  );
  const stored2 = readAccountState(profile.db, findAccountByJid(profile.db, alice)!.uuid);
  assert.match(stored2?.error ?? '', /cannot reach the server .*connection refused/);
  await server.start();
  await waitUntil(() => retrying.connection(alice)?.online === true, 10_000, 'back online');
  await retrying.stop();
});

function receiptEl(to: string, id: string) {
  return xml(
    'message',
    { to, type: 'chat', id: `r-${id}` },
    xml('received', { xmlns: 'urn:xmpp:receipts', id }),
  );
}

test('run: an account disabled meanwhile goes offline; enabled again, it comes back', async (t) => {
  const server = await startProsody();
  t.after(() => server.stop());
  await server.register('alice', 'pw-a');
  const profile = tempProfile(t);
  addTestAccount(profile, server, 'alice', 'pw-a');
  const alice = `alice@${server.domain}`;
  const engine = new Engine(profile, { ...fast, watchAccountsMs: 50 });
  const states: string[] = [];
  engine.on('account-state', (e: { state: string }) => states.push(e.state));
  await engine.start();
  t.after(() => engine.stop());
  await waitUntil(() => engine.connection(alice)?.online === true, 10_000, 'online');
  setAccountEnabled(profile.db, alice, false);
  await waitUntil(() => states.at(-1) === 'offline', 10_000, 'offline after disable');
  assert.equal(engine.connection(alice), undefined);
  setAccountEnabled(profile.db, alice, true);
  await waitUntil(() => engine.connection(alice)?.online === true, 10_000, 'online again');
  await engine.stop();
});

test('catch-up from an id the server no longer has falls back to the time of that message', async (t) => {
  // The server keeps only the newest 10 archived messages per user.
  const server = await startProsody({ extraGlobalConfig: 'storage_archive_item_limit = 10' });
  t.after(() => server.stop());
  await server.register('alice', 'pw-a');
  await server.register('bob', 'pw-b');
  const profile = tempProfile(t);
  addTestAccount(profile, server, 'alice', 'pw-a');
  const alice = `alice@${server.domain}`;
  const bob = await connectContact(server, 'bob', 'pw-b');
  t.after(() => bob.stop());
  const phone = await connectContact(server, 'alice', 'pw-a', 'phone');
  t.after(() => phone.stop());
  await bob.say(alice, 'known');
  await phone.waitForMessages(1);
  await new Engine(profile, fast).sync(); // the profile now knows 'known' and its archive id
  for (let i = 1; i <= 12; i++) await bob.say(alice, `later ${i}`);
  await phone.waitForMessages(13);
  const [report] = await new Engine(profile, fast).sync();
  assert.equal(report?.error, undefined);
  // 'known' and 'later 1..' fell out of the archive; everything still there is fetched.
  const bodies = report?.received.map((e) => e.message.body) ?? [];
  assert.ok(bodies.length >= 9, bodies.join());
  assert.equal(bodies.at(-1), 'later 12');
  assert.equal(new Set(bodies).size, bodies.length);
});

test(
  'two clients on the same resource: the one thrown out stops instead of fighting back',
  // The second device starts while the first is still busy (roster, carbons, archive): that is
  // when Prosody 0.12 loses the <conflict/> stream error (see src/xmpp/resource-probe.ts).
  async (t) => {
    const server = await startProsody();
    t.after(() => server.stop());
    await server.register('alice', 'pw-a');
    const first = tempProfile(t);
    const second = tempProfile(t);
    addTestAccount(first, server, 'alice', 'pw-a');
    addTestAccount(second, server, 'alice', 'pw-a'); // same resource 'ferry.test'
    const alice = `alice@${server.domain}`;
    const a = new Engine(first, fast);
    const states: { state: string; error?: string }[] = [];
    a.on('account-state', (e: { state: string; error?: string }) => states.push(e));
    await a.start();
    t.after(() => a.stop());
    await waitUntil(() => a.connection(alice)?.online === true, 30_000, 'first online');
    const b = new Engine(second, fast);
    await b.start();
    t.after(() => b.stop());
    await waitUntil(() => states.at(-1)?.state === 'offline', 30_000, 'first replaced');
    assert.match(states.at(-1)?.error ?? '', /another ferry or device is using this account/);
    await new Promise((r) => setTimeout(r, 500)); // several backoff periods
    assert.equal(b.connection(alice)?.online, true, 'the newer one stays online');
    assert.equal(states.filter((s) => s.state === 'connecting').length, 1, 'no reconnect attempts');
    await a.stop();
    await b.stop();
  },
);

test('the one thrown out stops even when its server loses the <conflict/> and just closes', async (t) => {
  const server = await startProsody();
  t.after(() => server.stop());
  await server.register('alice', 'pw-a');
  // The first device reaches the server through a proxy that drops stream errors and the stream
  // close: being replaced looks like the server ending the connection, as after a restart.
  const proxy = await startXmppProxy({ port: server.port }, { dropStreamErrors: true });
  t.after(() => proxy.stop());
  const first = tempProfile(t);
  const second = tempProfile(t);
  addAccount(first.db, {
    jid: `alice@${server.domain}`,
    password: 'pw-a',
    ...server.accountOptions,
    port: proxy.port,
    resource: 'ferry.test',
  });
  addTestAccount(second, server, 'alice', 'pw-a'); // same resource 'ferry.test'
  const alice = `alice@${server.domain}`;
  const a = new Engine(first, fast);
  const states: { state: string; error?: string }[] = [];
  a.on('account-state', (e) => states.push(e));
  const caughtUp = new Promise((resolve) => a.once('catchup-done', resolve));
  await a.start();
  t.after(() => a.stop());
  await caughtUp;
  const b = new Engine(second, fast);
  await b.start();
  t.after(() => b.stop());
  await waitUntil(() => states.at(-1)?.state === 'offline', 30_000, 'first replaced');
  assert.match(states.at(-1)?.error ?? '', /another ferry or device is using this account/);
  assert.match(proxy.droppedStreamErrors().join(), /<conflict/, 'the server did send it');
  await new Promise((r) => setTimeout(r, 500)); // several backoff periods
  assert.equal(b.connection(alice)?.online, true, 'the newer one stays online');
  assert.equal(states.filter((s) => s.state === 'connecting').length, 1, 'no reconnect attempts');
  await a.stop();
  await b.stop();
});
