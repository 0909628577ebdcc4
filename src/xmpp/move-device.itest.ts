/**
 * The seed's scenario end to end against a real Prosody: device A chats with contact B (one-to-one
 * and in a group chat), makes a backup and disables its account; B writes while A is away; device
 * C imports the backup, enables the account, syncs — and holds the old history plus the new
 * messages, each once, in order, with the server's timestamps; then C chats with B.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openProfile, type Profile } from '../store/profile.js';
import {
  addAccount,
  findAccountByJid,
  isAccountEnabled,
  setAccountEnabled,
} from '../store/accounts.js';
import {
  CONVERSATION_MODE,
  findConversation,
  findOrCreateConversation,
} from '../store/conversations.js';
import { listMessages, MESSAGE_STATUS } from '../store/messages.js';
import { createBackups } from '../migration/create-backup.js';
import { importBackup } from '../migration/import-backup.js';
import { startProsody } from './testing/prosody.js';
import { connectContact, waitUntil } from './testing/contact.js';
import { Engine } from './engine.js';
import { xml } from '@xmpp/client';

const fast = { backoff: { initialMs: 50, maxMs: 400 }, watchAccountsMs: 0 };

function tempDir(t: { after(fn: () => void): void }, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function profileIn(t: { after(fn: () => void): void }, prefix: string): Profile {
  const profile = openProfile(tempDir(t, prefix));
  t.after(() => profile.close());
  return profile;
}

function caughtUp(engine: Engine): Promise<unknown> {
  return new Promise((resolve) => engine.once('catchup-done', resolve));
}

test('move to a new device: history from the backup + what arrived meanwhile, once each, in order; chats work', async (t) => {
  const server = await startProsody({ muc: true });
  t.after(() => server.stop());
  await server.register('alice', 'pw-a');
  await server.register('bob', 'pw-b');
  const alice = `alice@${server.domain}`;
  const room = `friends@${server.mucDomain}`;

  // Device A: alice chats with bob and in a group chat.
  const deviceA = profileIn(t, 'ferry-device-a-');
  const accountA = addAccount(deviceA.db, {
    jid: alice,
    password: 'pw-a',
    ...server.accountOptions,
    resource: 'ferry.A',
  });
  findOrCreateConversation(deviceA.db, {
    accountUuid: accountA.uuid,
    contactJid: `${room}/Alice`,
    mode: CONVERSATION_MODE.group,
    name: 'Friends',
  });
  const engineA = new Engine(deviceA, fast);
  const aReady = caughtUp(engineA);
  await engineA.start();
  await aReady;
  const bob = await connectContact(server, 'bob', 'pw-b');
  t.after(() => bob.stop());
  await bob.join(room, 'Bob');

  await engineA.sendMessage(alice, bob.jid, 'hi bob');
  await bob.waitForMessages(1, (m) => m.body === 'hi bob');
  await bob.say(alice, 'hi alice');
  await engineA.sendMessage(alice, room, 'hello friends');
  await bob.waitForMessages(1, (m) => m.body === 'hello friends');
  await bob.sayInRoom(room, 'hello alice, says the room');
  const convA = findConversation(deviceA.db, accountA.uuid, bob.jid)!;
  const roomA = findConversation(deviceA.db, accountA.uuid, room)!;
  await waitUntil(
    () =>
      listMessages(deviceA.db, convA.uuid).length === 2 &&
      listMessages(deviceA.db, roomA.uuid).length === 2,
    10_000,
    'device A to store the chat',
  );
  // Our own room message comes back from the room with its archive id: stored once.
  await waitUntil(
    () => listMessages(deviceA.db, roomA.uuid).every((m) => m.serverMsgId !== null),
    10_000,
    'room archive ids',
  );
  await engineA.stop();

  // A makes a backup and disables its account (the seed's step 1).
  const backupDir = tempDir(t, 'ferry-backups-');
  const made = await createBackups(deviceA, { outDir: backupDir, deactivate: true });
  const file = made.written[0]?.file;
  assert.ok(file, 'backup written');
  assert.equal(isAccountEnabled(findAccountByJid(deviceA.db, alice)!), false);

  // B writes while A is away.
  const before = Date.now();
  for (let i = 1; i <= 5; i++) await bob.say(alice, `while you were away ${i}`);
  for (let i = 1; i <= 3; i++) await bob.sayInRoom(room, `room news ${i}`);
  await bob.xmpp.iqCaller.request(
    xml('iq', { type: 'get', to: server.domain }, xml('ping', { xmlns: 'urn:xmpp:ping' })),
  ); // the server has handled everything bob sent
  const after = Date.now();

  // Device C: import, enable, sync.
  const deviceC = profileIn(t, 'ferry-device-c-');
  await importBackup(deviceC, file, 'pw-a');
  setAccountEnabled(deviceC.db, alice, true);
  const engineC = new Engine(deviceC, fast);
  const [report] = await engineC.sync();
  assert.equal(report?.error, undefined);
  assert.equal(report?.caughtUp, true);

  const accountC = findAccountByJid(deviceC.db, alice)!;
  const chat = listMessages(deviceC.db, findConversation(deviceC.db, accountC.uuid, bob.jid)!.uuid);
  assert.deepEqual(
    chat.map((m) => m.body),
    [
      'hi bob',
      'hi alice',
      'while you were away 1',
      'while you were away 2',
      'while you were away 3',
      'while you were away 4',
      'while you were away 5',
    ],
  );
  for (const m of chat.slice(2)) {
    assert.equal(m.status, MESSAGE_STATUS.received);
    assert.ok(
      m.timeSent >= before - 1000 && m.timeSent <= after,
      'when B sent it, not when C got it',
    );
    assert.ok(m.serverMsgId);
  }
  const group = listMessages(deviceC.db, findConversation(deviceC.db, accountC.uuid, room)!.uuid);
  assert.deepEqual(
    group.map((m) => m.body),
    ['hello friends', 'hello alice, says the room', 'room news 1', 'room news 2', 'room news 3'],
  );
  assert.equal(group[2]?.counterpart, `${room}/Bob`);
  assert.equal(group[0]?.status, MESSAGE_STATUS.sent);

  // Chats work: C sends to B (one-to-one and in the room); B receives.
  const cReady = caughtUp(engineC);
  await engineC.start();
  t.after(() => engineC.stop());
  // Sent right away: the room message waits until the room is joined (after the catch-up).
  await engineC.sendMessage(alice, bob.jid, 'new phone, who dis');
  await engineC.sendMessage(alice, room, 'back in the room');
  await cReady;
  await bob.waitForMessages(1, (m) => m.body === 'new phone, who dis' && m.type === 'chat');
  await bob.waitForMessages(1, (m) => m.body === 'back in the room' && m.type === 'groupchat');
  await bob.say(alice, 'welcome back');
  const convC = findConversation(deviceC.db, accountC.uuid, bob.jid)!;
  await waitUntil(
    () => listMessages(deviceC.db, convC.uuid).some((m) => m.body === 'welcome back'),
    10_000,
    'reply on device C',
  );
  await engineC.stop();
  const bodies = listMessages(deviceC.db, convC.uuid).map((m) => m.body);
  assert.equal(new Set(bodies).size, bodies.length, 'no message twice');
});
