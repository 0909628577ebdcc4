import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openProfile } from '../store/profile.js';
import { addAccount } from '../store/accounts.js';
import { findConversation } from '../store/conversations.js';
import { listMessages } from '../store/messages.js';
import { startProsody } from './testing/prosody.js';
import { connectContact } from './testing/contact.js';
import { Engine, type StoredMessageEvent } from './engine.js';

test('the server restarts during a catch-up: it resumes, nothing is lost or stored twice', async (t) => {
  const server = await startProsody({ archive: 'internal' }); // the archive survives the restart
  t.after(() => server.stop());
  await server.register('alice', 'pw-a');
  await server.register('bob', 'pw-b');
  const alice = `alice@${server.domain}`;
  const dir = mkdtempSync(join(tmpdir(), 'ferry-restart-'));
  const profile = openProfile(dir);
  t.after(() => {
    profile.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const account = addAccount(profile.db, {
    jid: alice,
    password: 'pw-a',
    ...server.accountOptions,
  });

  const bob = await connectContact(server, 'bob', 'pw-b');
  t.after(() => bob.stop());
  // Alice's phone is online, so the messages are archived but not held for offline delivery.
  const phone = await connectContact(server, 'alice', 'pw-a', 'phone');
  t.after(() => phone.stop());
  await bob.say(alice, 'm 0');
  await phone.waitForMessages(1);
  const options = {
    backoff: { initialMs: 50, maxMs: 300 },
    watchAccountsMs: 0,
    catchup: { pageSize: 25 },
  };
  const [first] = await new Engine(profile, options).sync();
  assert.equal(first?.received.length, 1);

  const total = 400;
  for (let i = 1; i <= total; i++) await bob.say(alice, `m ${i}`);
  await phone.waitForMessages(total + 1, undefined, 30_000);
  await phone.stop();
  await bob.stop();

  const engine = new Engine(profile, options);
  let restarted: Promise<void> | undefined;
  const states: string[] = [];
  engine.on('account-state', (e: { state: string }) => states.push(e.state));
  let seen = 0;
  engine.on('message', (_e: StoredMessageEvent) => {
    seen++;
    if (seen === 100 && !restarted) restarted = server.restart();
  });
  const [report] = await engine.sync();
  await restarted;
  assert.ok(restarted, 'the server was restarted during the catch-up');
  assert.equal(report?.error, undefined);
  assert.equal(report?.caughtUp, true);
  assert.ok(
    states.includes('unreachable') || states.filter((s) => s === 'online').length > 1,
    states.join(),
  );

  const conv = findConversation(profile.db, account.uuid, `bob@${server.domain}`)!;
  const bodies = listMessages(profile.db, conv.uuid).map((m) => m.body);
  assert.equal(bodies.length, total + 1);
  assert.deepEqual(
    bodies,
    Array.from({ length: total + 1 }, (_, i) => `m ${i}`),
    'every message once, in order',
  );
});
