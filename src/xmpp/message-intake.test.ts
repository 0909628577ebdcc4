import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { xml } from '@xmpp/client';
import type { Element } from '@xmpp/xml';
import { openProfile, type Profile } from '../store/profile.js';
import { addAccount } from '../store/accounts.js';
import { findConversation, findOrCreateConversation } from '../store/conversations.js';
import { insertMessage, listMessages, MESSAGE_STATUS } from '../store/messages.js';
import { MessageIntake, type RoomInfo, type StoredMessageEvent } from './message-intake.js';
import type { XmppChannel } from './crypto-hook.js';

const ME = 'alice@example.org';
const BOB = 'bob@example.org';

function setup(t: { after(fn: () => void): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-intake-'));
  const profile: Profile = openProfile(dir);
  t.after(() => {
    profile.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const account = addAccount(profile.db, { jid: ME, password: 'x' });
  const rooms = new Map<string, RoomInfo>();
  const stored: StoredMessageEvent[] = [];
  const receipts: string[] = [];
  const channel: XmppChannel = {
    account: { uuid: account.uuid, jid: ME },
    fullJid: `${ME}/ferry`,
    iq: () => Promise.reject(new Error('offline')),
    send: () => Promise.resolve(),
    onStanza: () => () => {},
  };
  const intake = new MessageIntake(profile.db, {
    accountUuid: account.uuid,
    accountJid: ME,
    crypto: undefined,
    channel,
    rooms,
    sendReceipt: (to, id) => {
      receipts.push(`${to} ${id}`);
      return Promise.resolve();
    },
    onStored: (e) => stored.push(e),
  });
  return { profile, account, intake, rooms, stored, receipts };
}

function chat(from: string, to: string, id: string, body: string, extra: Element[] = []): Element {
  return xml('message', { from, to, type: 'chat', id }, xml('body', {}, body), ...extra);
}

function stanzaId(id: string, by = ME): Element {
  return xml('stanza-id', { xmlns: 'urn:xmpp:sid:0', id, by });
}

function delay(stamp: string): Element {
  return xml('delay', { xmlns: 'urn:xmpp:delay', stamp, from: 'example.org' });
}

test('the same message as offline delivery, carbon and archive result is stored once', async (t) => {
  const { profile, account, intake, stored } = setup(t);
  const original = chat(`${BOB}/phone`, ME, 'm1', 'hello', [stanzaId('A1')]);
  // Offline delivery (with a delay) …
  intake.enqueueLive(
    chat(`${BOB}/phone`, ME, 'm1', 'hello', [stanzaId('A1'), delay('2026-01-02T03:04:05Z')]),
  );
  // … a carbon of it from another of our resources (no stanza-id inside) …
  intake.enqueueLive(
    xml(
      'message',
      { from: ME, to: `${ME}/ferry` },
      xml(
        'received',
        { xmlns: 'urn:xmpp:carbons:2' },
        xml('forwarded', { xmlns: 'urn:xmpp:forward:0' }, chat(`${BOB}/phone`, ME, 'm1', 'hello')),
      ),
    ),
  );
  // … and the archive's copy.
  await intake.storeArchivePage(
    [{ archiveId: 'A1', message: original, stamp: Date.parse('2026-01-02T03:04:05Z') }],
    undefined,
  );
  await intake.idle();
  assert.equal(stored.length, 1);
  const conv = findConversation(profile.db, account.uuid, BOB)!;
  const rows = listMessages(profile.db, conv.uuid);
  assert.equal(rows.length, 1);
  assert.equal(rows[0]?.serverMsgId, 'A1');
  assert.equal(rows[0]?.remoteMsgId, 'm1');
  assert.equal(rows[0]?.timeSent, Date.parse('2026-01-02T03:04:05Z'));
  assert.equal(rows[0]?.counterpart, `${BOB}/phone`);
  assert.equal(rows[0]?.status, MESSAGE_STATUS.received);
});

test('our own sent message coming back from the archive gets its archive id, not a copy', async (t) => {
  const { profile, account, intake, stored } = setup(t);
  const { conversation } = findOrCreateConversation(profile.db, {
    accountUuid: account.uuid,
    contactJid: BOB,
    mode: 0,
  });
  const mine = insertMessage(profile.db, {
    conversationUuid: conversation.uuid,
    timeSent: Date.now(),
    status: MESSAGE_STATUS.sent,
    counterpart: BOB,
    body: 'hi',
  });
  await intake.storeArchivePage(
    [{ archiveId: 'A9', message: chat(`${ME}/ferry`, BOB, mine.uuid, 'hi'), stamp: Date.now() }],
    undefined,
  );
  assert.equal(stored.length, 0);
  const rows = listMessages(profile.db, conversation.uuid);
  assert.equal(rows.length, 1);
  assert.equal(rows[0]?.serverMsgId, 'A9');
});

test('receipts and markers raise the status of what we sent; live requests get a receipt', async (t) => {
  const { profile, account, intake, receipts } = setup(t);
  const { conversation } = findOrCreateConversation(profile.db, {
    accountUuid: account.uuid,
    contactJid: BOB,
    mode: 0,
  });
  const mine = insertMessage(profile.db, {
    conversationUuid: conversation.uuid,
    timeSent: Date.now(),
    status: MESSAGE_STATUS.sent,
    body: 'hi',
  });
  intake.enqueueLive(
    xml(
      'message',
      { from: `${BOB}/phone`, to: ME, id: 'r1' },
      xml('received', { xmlns: 'urn:xmpp:receipts', id: mine.uuid }),
    ),
  );
  await intake.idle();
  assert.equal(listMessages(profile.db, conversation.uuid)[0]?.status, MESSAGE_STATUS.sentReceived);
  intake.enqueueLive(
    xml(
      'message',
      { from: `${BOB}/phone`, to: ME, id: 'r2' },
      xml('displayed', { xmlns: 'urn:xmpp:chat-markers:0', id: mine.uuid }),
    ),
  );
  intake.enqueueLive(
    chat(`${BOB}/phone`, ME, 'q1', 'did you get it?', [
      xml('request', { xmlns: 'urn:xmpp:receipts' }),
    ]),
  );
  await intake.idle();
  assert.equal(
    listMessages(profile.db, conversation.uuid)[0]?.status,
    MESSAGE_STATUS.sentDisplayed,
  );
  assert.deepEqual(receipts, [`${BOB}/phone q1`]);
});

test('carbons are only believed from our own account; forged ones are dropped', async (t) => {
  const { intake, stored } = setup(t);
  intake.enqueueLive(
    xml(
      'message',
      { from: 'mallory@evil.example', to: ME },
      xml(
        'sent',
        { xmlns: 'urn:xmpp:carbons:2' },
        xml('forwarded', { xmlns: 'urn:xmpp:forward:0' }, chat(ME, BOB, 'f1', 'I owe mallory')),
      ),
    ),
  );
  await intake.idle();
  assert.equal(stored.length, 0);
});

test('group chat: occupants by nick, our reflected message once, unknown rooms ignored', async (t) => {
  const { profile, account, intake, rooms, stored } = setup(t);
  const room = 'friends@conference.example.org';
  const { conversation } = findOrCreateConversation(profile.db, {
    accountUuid: account.uuid,
    contactJid: `${room}/Alice`,
    mode: 1,
  });
  rooms.set(room, { jid: room, nick: 'Alice', conversationUuid: conversation.uuid });
  const group = (nick: string, id: string, body: string, sid: string) =>
    xml(
      'message',
      { from: `${room}/${nick}`, to: `${ME}/ferry`, type: 'groupchat', id },
      xml('body', {}, body),
      stanzaId(sid, room),
    );
  intake.enqueueLive(group('Bob', 'g1', 'hi all', 'R1'));
  intake.enqueueLive(group('Alice', 'g2', 'hi bob', 'R2'));
  await intake.storeArchivePage(
    [
      { archiveId: 'R1', message: group('Bob', 'g1', 'hi all', 'R1'), stamp: Date.now() },
      { archiveId: 'R2', message: group('Alice', 'g2', 'hi bob', 'R2'), stamp: Date.now() },
    ],
    room,
  );
  intake.enqueueLive(
    xml(
      'message',
      { from: 'other@conference.example.org/x', type: 'groupchat', id: 'z' },
      xml('body', {}, 'not joined'),
    ),
  );
  // A private message from an occupant (type chat from room/nick).
  intake.enqueueLive(chat(`${room}/Bob`, `${ME}/ferry`, 'p1', 'psst'));
  await intake.idle();
  const rows = listMessages(profile.db, conversation.uuid);
  assert.deepEqual(
    rows.map((m) => [m.body, m.counterpart, m.status, m.type]),
    [
      ['hi all', `${room}/Bob`, MESSAGE_STATUS.received, 0],
      ['hi bob', `${room}/Alice`, MESSAGE_STATUS.sent, 0],
      ['psst', `${room}/Bob`, MESSAGE_STATUS.received, 4],
    ],
  );
  assert.equal(stored.length, 3);
});

test('whole-second server stamps keep the delivery order within their second', async (t) => {
  const { profile, account, intake } = setup(t);
  const { conversation } = findOrCreateConversation(profile.db, {
    accountUuid: account.uuid,
    contactJid: BOB,
    mode: 0,
  });
  const second = Date.parse('2026-01-02T03:04:05Z');
  insertMessage(profile.db, {
    conversationUuid: conversation.uuid,
    timeSent: second + 700, // sent by us, live, later in the same second
    status: MESSAGE_STATUS.sent,
    body: 'first',
  });
  await intake.storeArchivePage(
    [{ archiveId: 'A2', message: chat(`${BOB}/p`, ME, 'x2', 'second'), stamp: second }],
    undefined,
  );
  assert.deepEqual(
    listMessages(profile.db, conversation.uuid).map((m) => m.body),
    ['first', 'second'],
  );
});
