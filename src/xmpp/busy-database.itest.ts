import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openProfile, openProfileDatabase } from '../store/profile.js';
import { addAccount } from '../store/accounts.js';
import { findConversation } from '../store/conversations.js';
import { listMessages } from '../store/messages.js';
import { startProsody } from './testing/prosody.js';
import { connectContact, waitUntil } from './testing/contact.js';
import { Engine, type StoredMessageEvent } from './engine.js';

/** Longer than the 5 s busy wait of a profile connection: before the fix, the message was lost. */
const HOLD_MS = 6000;

test('a live message arriving while another connection holds the database lock is stored once, in order', async (t) => {
  const server = await startProsody();
  t.after(() => server.stop());
  await server.register('alice', 'pw-a');
  await server.register('bob', 'pw-b');
  const alice = `alice@${server.domain}`;
  const dir = mkdtempSync(join(tmpdir(), 'ferry-busy-'));
  const profile = openProfile(dir);
  // A second connection to the same ferry.db, as a backup import in the web app has.
  const importer = openProfileDatabase(dir);
  t.after(() => {
    if (importer.inTransaction) importer.exec('ROLLBACK');
    importer.close();
    profile.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const account = addAccount(profile.db, {
    jid: alice,
    password: 'pw-a',
    ...server.accountOptions,
    resource: 'ferry.test',
  });
  const bob = await connectContact(server, 'bob', 'pw-b');
  t.after(() => bob.stop());

  const options = { backoff: { initialMs: 50, maxMs: 400 }, watchAccountsMs: 0 };
  const engine = new Engine(profile, options);
  const events: StoredMessageEvent[] = [];
  const states: string[] = [];
  engine.on('message', (e: StoredMessageEvent) => events.push(e));
  engine.on('account-state', (e: { state: string }) => states.push(e.state));
  const caughtUp = new Promise((resolve) => engine.once('catchup-done', resolve));
  await engine.start();
  let stopped = false;
  t.after(() => (stopped ? undefined : engine.stop()));
  await caughtUp;
  await bob.say(alice, 'before');
  await waitUntil(() => events.some((e) => e.message.body === 'before'), 10_000, 'first message');

  // The "import" takes the write lock and keeps writing in its transaction on this event loop.
  importer.exec('CREATE TABLE import_progress (n INTEGER)');
  importer.exec('BEGIN IMMEDIATE');
  await bob.say(alice, 'while locked');
  const lockedAt = Date.now();
  let last = Date.now();
  let longestPause = 0;
  let n = 0;
  await waitUntil(
    () => {
      const now = Date.now();
      longestPause = Math.max(longestPause, now - last);
      last = now;
      importer.prepare('INSERT INTO import_progress (n) VALUES (?)').run(n++);
      return now - lockedAt >= HOLD_MS;
    },
    HOLD_MS + 10_000,
    'the lock to be held long enough',
  );
  assert.ok(
    !events.some((e) => e.message.body === 'while locked'),
    'not reported stored while locked',
  );
  // Generous bound: the old code blocked the event loop for the whole 5 s busy wait.
  assert.ok(longestPause < 2500, `the event loop stayed free for the import (${longestPause} ms)`);
  importer.exec('COMMIT');

  await bob.say(alice, 'after');
  await waitUntil(() => events.some((e) => e.message.body === 'after'), 15_000, 'later message');
  const conversation = findConversation(profile.db, account.uuid, bob.jid);
  assert.ok(conversation);
  const bodies = () => listMessages(profile.db, conversation.uuid).map((m) => m.body);
  assert.deepEqual(bodies(), ['before', 'while locked', 'after'], 'stored once each, in order');
  assert.deepEqual(
    events.map((e) => e.message.body),
    ['before', 'while locked', 'after'],
  );
  assert.equal(engine.connection(alice)?.state, 'online', 'the account stayed online');
  assert.ok(!states.includes('offline') && !states.includes('unreachable'), states.join());

  // A later catch-up finds nothing missing and stores nothing twice.
  await engine.stop();
  stopped = true;
  const [report] = await new Engine(profile, options).sync();
  assert.equal(report?.error, undefined);
  assert.equal(report?.received.length, 0);
  assert.deepEqual(bodies(), ['before', 'while locked', 'after']);
});
