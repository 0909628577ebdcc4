/**
 * Room messages are decrypted by the sender's real JID, and only a member's: a genuine OMEMO
 * message (fixture a1, bob → alice, from Conversations) is refused untouched when the room says
 * its sender is not a member or does not say who sent it, and decrypts when the sender is a member.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, type Element } from 'ltx';
import { importBackup } from '../migration/import-backup.js';
import { MESSAGE_ENCRYPTION } from '../store/codes.js';
import { openProfile } from '../store/profile.js';
import type { DecryptContext, RoomView, XmppChannel } from '../xmpp/crypto-hook.js';
import { OmemoCrypto, type OmemoEvent } from './omemo-crypto.js';

const DIR = 'test-data/omemo';
const ALICE = { uuid: 'd45f1e05-5cb6-4264-b8fc-61fff8bee39a', jid: 'alice@example.org' };
const BOB = 'bob@example.org';
const ROOM = 'team@conference.example.org';

/** The account's connection as the plugin sees it; nothing here may reach the network. */
const offline: XmppChannel = {
  account: ALICE,
  fullJid: `${ALICE.jid}/ferry`,
  iq: () => Promise.reject(new Error('offline')),
  send: () => Promise.reject(new Error('offline')),
  onStanza: () => () => {},
};

function room(members: string[]): RoomView {
  return {
    jid: ROOM,
    nick: 'Alice',
    membersOnly: true,
    nonAnonymous: true,
    members,
    encryptedBefore: false,
  };
}

function context(sender: string | undefined, view: RoomView | undefined): DecryptContext {
  return {
    source: 'live',
    direction: 'incoming',
    from: `${ROOM}/Bob`,
    senderBareJid: sender,
    conversationJid: ROOM,
    group: true,
    serverMsgId: 'archive-1',
    ...(view ? { room: view } : {}),
  };
}

test('room OMEMO: only a member, known by the real JID the room tells, is decrypted', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-omemo-group-'));
  const profile = openProfile(dir);
  t.after(() => {
    profile.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await importBackup(profile, join(DIR, 'alice.v2.ceb'), 'alice-backup-password');
  const events: OmemoEvent[] = [];
  const crypto = new OmemoCrypto(profile.db, (e) => events.push(e));
  const message = () =>
    parse(readFileSync(join(DIR, 'stanzas', 'a1-bob-to-alice.xml'), 'utf8')) as Element;
  const sessions = () => JSON.stringify(profile.db.prepare('SELECT * FROM sessions').all());
  const before = sessions();

  const refused: [string, DecryptContext][] = [
    ['bob is not a member', context(BOB, room(['carol@example.org']))],
    ['the real JID is unknown', context(undefined, room([BOB]))],
    ['the room is not joined', context(BOB, undefined)],
  ];
  for (const [what, ctx] of refused) {
    const got = await crypto.decryptIncoming(offline, message() as never, ctx);
    assert.deepEqual(got, { body: '', encryption: MESSAGE_ENCRYPTION.omemoFailed }, what);
    assert.ok(events.at(-1)?.kind === 'undecryptable', `${what}: reported`);
  }
  assert.equal(sessions(), before, 'refused messages leave the sessions as they were');

  const member = await crypto.decryptIncoming(
    offline,
    message() as never,
    context(BOB, room([BOB])),
  );
  assert.equal(member?.encryption, MESSAGE_ENCRYPTION.omemo);
  assert.equal(member?.body, 'Did the backup work?');
});
