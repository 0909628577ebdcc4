/**
 * OMEMO in group chats against a real Prosody (MUC with room archives), with ferry devices only:
 * a members-only, non-anonymous room of three members (alice, bob, dave) exchanging encrypted
 * messages every way; alice backs up, her old device keeps chatting, she is restored on a new
 * profile: the room's archive catch-up keeps the earlier messages from the backup, marks the gap
 * "unable to decrypt", heals, and her next messages decrypt at every member and theirs at her.
 * Then: an open room is never encrypted and ferry says why; hostile room stanzas are rejected.
 * Last, profanity (a real, independent OMEMO client) in a room with two ferry devices.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { xml } from '@xmpp/client';
import { openProfile, type Profile } from '../store/profile.js';
import { addAccount, findAccountByJid, setAccountEnabled } from '../store/accounts.js';
import {
  CONVERSATION_MODE,
  findConversation,
  findOrCreateConversation,
} from '../store/conversations.js';
import { listMessages, MESSAGE_ENCRYPTION, type MessageRow } from '../store/messages.js';
import { writeAccountKey } from '../store/omemo-keys.js';
import { createBackups } from '../migration/create-backup.js';
import { importBackup } from '../migration/import-backup.js';
import { startProsody, type ProsodyServer } from '../xmpp/testing/prosody.js';
import { connectContact, waitUntil } from '../xmpp/testing/contact.js';
import { createRoom } from '../xmpp/testing/rooms.js';
import { storedRoomEncryption } from '../xmpp/rooms.js';
import { Engine } from '../xmpp/engine.js';
import { OmemoCrypto, type OmemoEvent } from './omemo-crypto.js';
import { FALLBACK_BODY, OMEMO_NS } from './omemo-element.js';
import { runFerry } from '../cli/testing/run-ferry.js';
import { startWebApp } from '../web/server.js';
import { launchChromium, screenshot } from '../web/testing/browser.js';
import { Profanity, profanityAvailable, publishEmptyDeviceList } from './testing/profanity.js';
import { Cleanup } from '../testing/cleanup.js';

const fast = { backoff: { initialMs: 50, maxMs: 400 }, watchAccountsMs: 0 };

interface Device {
  profile: Profile;
  engine: Engine;
  events: OmemoEvent[];
  jid: string;
  stop(): Promise<void>;
}

function profileIn(t: Cleanup, prefix: string): Profile {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const profile = openProfile(dir);
  t.after(() => {
    profile.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return profile;
}

/** A ferry profile with the account and the room as a group conversation (joined as `nick`). */
function newDevice(
  t: Cleanup,
  server: ProsodyServer,
  user: string,
  rooms: { room: string; nick: string }[],
  resource = `ferry.${user}`,
): Profile {
  const profile = profileIn(t, `ferry-muc-${user}-`);
  addAccount(profile.db, {
    jid: `${user}@${server.domain}`,
    password: `pw-${user}`,
    ...server.accountOptions,
    resource,
  });
  const account = findAccountByJid(profile.db, `${user}@${server.domain}`)!;
  for (const { room, nick } of rooms) {
    findOrCreateConversation(profile.db, {
      accountUuid: account.uuid,
      contactJid: `${room}/${nick}`,
      mode: CONVERSATION_MODE.group,
    });
  }
  return profile;
}

async function startDevice(t: Cleanup, profile: Profile, jid: string): Promise<Device> {
  // The test server is plaintext on loopback: the account's explicit opt-in for it (issue 13's
  // account setting in the `keys` column; a restored account needs it again).
  const row = findAccountByJid(profile.db, jid)!;
  writeAccountKey(profile.db, row.uuid, 'ferry_allow_plaintext_loopback', 'true');
  const events: OmemoEvent[] = [];
  const engine = new Engine(profile, {
    ...fast,
    crypto: new OmemoCrypto(profile.db, (e) => events.push(e)),
  });
  const caught = new Promise((resolve) => engine.once('catchup-done', resolve));
  await engine.start();
  await caught;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await engine.stop();
  };
  t.after(stop);
  return { profile, engine, events, jid, stop };
}

function roomMessages(device: Device, room: string): MessageRow[] {
  const account = findAccountByJid(device.profile.db, device.jid)!;
  const conversation = findConversation(device.profile.db, account.uuid, room);
  return conversation ? listMessages(device.profile.db, conversation.uuid) : [];
}

function roomState(device: Device, room: string) {
  const account = findAccountByJid(device.profile.db, device.jid)!;
  return storedRoomEncryption(findConversation(device.profile.db, account.uuid, room)!);
}

async function waitForRoomBody(device: Device, room: string, body: string): Promise<MessageRow> {
  let found: MessageRow | undefined;
  await waitUntil(
    () => {
      found = roomMessages(device, room).find((m) => m.body === body && m.status === 0);
      return found !== undefined;
    },
    15_000,
    `"${body}" in ${room} on ${device.jid}`,
  );
  return found!;
}

/** `from` writes to the room; every other member's device reads it decrypted. */
async function sayInRoom(from: Device, room: string, text: string, to: Device[]): Promise<void> {
  const sent = await from.engine.sendMessage(from.jid, room, text);
  assert.equal(sent.encryption, MESSAGE_ENCRYPTION.omemo, `"${text}" was sent encrypted`);
  for (const member of to) {
    const got = await waitForRoomBody(member, room, text);
    assert.equal(got.encryption, MESSAGE_ENCRYPTION.omemo, `"${text}" decrypted at ${member.jid}`);
    assert.equal(got.trueCounterpart, from.jid, `"${text}" is from ${from.jid}'s real JID`);
  }
}

test('a members-only non-anonymous room: encrypted every way, and across a device move', async (tc) => {
  const t = new Cleanup(tc);
  const server = await startProsody({ muc: true });
  t.after(() => server.stop());
  for (const user of ['alice', 'bob', 'dave']) await server.register(user, `pw-${user}`);
  const jid = (user: string) => `${user}@${server.domain}`;
  const room = `team@${server.mucDomain}`;
  await createRoom(server, { user: 'alice', password: 'pw-alice' }, room, {
    membersOnly: true,
    nonAnonymous: true,
    members: [jid('bob'), jid('dave')],
  });
  const alice = await startDevice(
    t,
    newDevice(t, server, 'alice', [{ room, nick: 'Alice' }]),
    jid('alice'),
  );
  const bob = await startDevice(
    t,
    newDevice(t, server, 'bob', [{ room, nick: 'Bob' }]),
    jid('bob'),
  );
  const dave = await startDevice(
    t,
    newDevice(t, server, 'dave', [{ room, nick: 'Dave' }]),
    jid('dave'),
  );

  await sayInRoom(alice, room, 'hello team, encrypted', [bob, dave]);
  await sayInRoom(bob, room, 'bob here, encrypted too', [alice, dave]);
  await sayInRoom(dave, room, 'dave joins in', [alice, bob]);
  {
    // Dave's second device (same account, same nick): his messages are encrypted for it too, and
    // it reads them as his own, sent from his other device.
    const tablet = await startDevice(
      t,
      newDevice(t, server, 'dave', [{ room, nick: 'Dave' }], 'ferry.tablet'),
      jid('dave'),
    );
    await sayInRoom(dave, room, 'dave, from the phone', [alice, bob]);
    let own: MessageRow | undefined;
    await waitUntil(
      () =>
        (own = roomMessages(tablet, room).find((m) => m.body === 'dave, from the phone')) !==
        undefined,
      15_000,
      "dave's own message on his tablet",
    );
    assert.equal(own?.encryption, MESSAGE_ENCRYPTION.omemo);
    assert.notEqual(own?.status, 0, 'shown as sent by dave, not received');
    await tablet.stop();
  }
  for (const d of [alice, bob, dave])
    assert.deepEqual(roomState(d, room), { state: 'omemo', reason: null });

  // Alice backs up, her old device keeps chatting: the ratchets move past the backup.
  const outDir = mkdtempSync(join(tmpdir(), 'ferry-muc-backups-'));
  t.after(() => rmSync(outDir, { recursive: true, force: true }));
  const { written } = await createBackups(alice.profile, { outDir });
  const file = written[0]?.file;
  assert.ok(file, 'a backup was written');
  await sayInRoom(alice, room, 'old phone, after the backup', [bob, dave]);
  await sayInRoom(bob, room, 'bob answers the old phone', [alice, dave]);
  await sayInRoom(dave, room, 'dave answers too', [alice, bob]);
  await sayInRoom(alice, room, 'old phone again', [bob, dave]);
  await sayInRoom(bob, room, 'gap message from bob', [alice, dave]);
  await sayInRoom(dave, room, 'gap message from dave', [alice, bob]);
  await alice.stop();

  const restoredProfile = profileIn(t, 'ferry-muc-alice-restored-');
  await importBackup(restoredProfile, file, 'pw-alice');
  setAccountEnabled(restoredProfile.db, jid('alice'), true);
  const bobEvents = bob.events.length;
  const daveEvents = dave.events.length;
  const restored = await startDevice(t, restoredProfile, jid('alice'));

  const messages = roomMessages(restored, room);
  // The earlier messages, from the backup, are intact and stored once.
  for (const text of ['hello team, encrypted', 'bob here, encrypted too', 'dave joins in']) {
    const same = messages.filter((m) => m.body === text);
    assert.equal(same.length, 1, `"${text}" is there once`);
    assert.equal(same[0]?.encryption, MESSAGE_ENCRYPTION.omemo);
  }
  // The gap: marked unable to decrypt, nothing of it shown as text.
  const failed = messages.filter((m) => m.encryption === MESSAGE_ENCRYPTION.omemoFailed);
  assert.ok(failed.length >= 2, `the gap is unable to decrypt (${failed.length})`);
  for (const m of failed) assert.equal(m.body, '');
  for (const gap of ['gap message from bob', 'gap message from dave']) {
    assert.ok(
      !messages.some((m) => m.body === gap),
      `"${gap}" is not readable on the restored device`,
    );
  }
  assert.ok(!messages.some((m) => m.body === FALLBACK_BODY), 'no fallback body stored');
  // Self-healing with both members, after the catch-up.
  await waitUntil(
    () =>
      bob.events
        .slice(bobEvents)
        .some((e) => e.kind === 'key-transport' && e.device.name === jid('alice')) &&
      dave.events
        .slice(daveEvents)
        .some((e) => e.kind === 'key-transport' && e.device.name === jid('alice')),
    20_000,
    'bob and dave receiving the healing messages',
  );

  await sayInRoom(restored, room, 'the new phone writes to the team', [bob, dave]);
  await sayInRoom(bob, room, 'bob reads the new phone', [restored, dave]);
  await sayInRoom(dave, room, 'dave too', [restored, bob]);

  // A backup taken after the group chat restores the sessions built in the room.
  await restored.stop();
  const outDir2 = mkdtempSync(join(tmpdir(), 'ferry-muc-backups-'));
  t.after(() => rmSync(outDir2, { recursive: true, force: true }));
  const second = await createBackups(restoredProfile, { outDir: outDir2, deactivate: true });
  const thirdProfile = profileIn(t, 'ferry-muc-alice-third-');
  await importBackup(thirdProfile, second.written[0]!.file, 'pw-alice');
  setAccountEnabled(thirdProfile.db, jid('alice'), true);
  await sayInRoom(bob, room, 'while alice moves again', [dave]);
  const third = await startDevice(t, thirdProfile, jid('alice'));
  const quiet = await waitForRoomBody(third, room, 'while alice moves again');
  assert.equal(
    quiet.encryption,
    MESSAGE_ENCRYPTION.omemo,
    'the restored sessions decrypt what came meanwhile',
  );
  await sayInRoom(third, room, 'third device, same sessions', [bob, dave]);
  await third.stop();
  const chats = await runFerry(['--profile', thirdProfile.dir, 'chats']);
  assert.match(
    chats.stdout,
    new RegExp(`^${room}  \\(group, OMEMO`, 'm'),
    chats.stdout + chats.stderr,
  );
});

test('an open room is never encrypted and ferry says why; hostile room stanzas are rejected', async (tc) => {
  const t = new Cleanup(tc);
  const server = await startProsody({ muc: true });
  t.after(() => server.stop());
  for (const user of ['alice', 'bob', 'mallory']) await server.register(user, `pw-${user}`);
  const jid = (user: string) => `${user}@${server.domain}`;
  const lobby = `lobby@${server.mucDomain}`;
  const secret = `secret@${server.mucDomain}`;
  await createRoom(server, { user: 'alice', password: 'pw-alice' }, lobby, {
    membersOnly: false,
    nonAnonymous: false,
  });
  await createRoom(server, { user: 'alice', password: 'pw-alice' }, secret, {
    membersOnly: true,
    nonAnonymous: true,
    members: [jid('bob'), jid('mallory')],
  });
  const bob = await startDevice(
    t,
    newDevice(t, server, 'bob', [
      { room: lobby, nick: 'Bob' },
      { room: secret, nick: 'Bob' },
    ]),
    jid('bob'),
  );
  const alice = await startDevice(
    t,
    newDevice(t, server, 'alice', [
      { room: lobby, nick: 'Alice' },
      { room: secret, nick: 'Alice' },
    ]),
    jid('alice'),
  );

  // The open room: plain text, and the reason is stored for the CLI and the web app.
  const sent = await alice.engine.sendMessage(alice.jid, lobby, 'hello lobby');
  assert.equal(sent.encryption, MESSAGE_ENCRYPTION.none);
  const got = await waitForRoomBody(bob, lobby, 'hello lobby');
  assert.equal(got.encryption, MESSAGE_ENCRYPTION.none);
  assert.deepEqual(roomState(alice, lobby), {
    state: 'none',
    reason:
      'the room is open to anyone and hides its members’ addresses (not members-only, not non-anonymous)',
  });

  // Mallory, a member without OMEMO, talks to the secret room with a raw client.
  const mallory = await connectContact(server, 'mallory', 'pw-mallory', 'raw');
  t.after(() => mallory.stop());
  await mallory.join(secret, 'Mallory');
  const aliceDevice = alice.events.find((e) => e.kind === 'published');
  assert.ok(aliceDevice?.kind === 'published');
  const bobDevice = bob.events.find((e) => e.kind === 'published');
  assert.ok(bobDevice?.kind === 'published');
  const junk = Buffer.alloc(64, 7).toString('base64');
  const encrypted = (sid: number, rid: number, payload = 'secret?') =>
    xml(
      'encrypted',
      { xmlns: OMEMO_NS },
      xml(
        'header',
        { sid: String(sid) },
        xml('key', { rid: String(rid) }, junk),
        xml('iv', {}, Buffer.alloc(12, 1).toString('base64')),
      ),
      xml('payload', {}, Buffer.from(payload).toString('base64')),
    );
  const toRoom = (id: string, ...children: ReturnType<typeof xml>[]) =>
    mallory.xmpp.send(xml('message', { to: secret, type: 'groupchat', id }, ...children));
  // 1. Pretending to be bob (a forged real JID) with a key for alice's device.
  await toRoom(
    'forged-sender',
    xml('x', { xmlns: 'http://jabber.org/protocol/muc#user' }, xml('item', { jid: jid('bob') })),
    encrypted(bobDevice.deviceId, aliceDevice.deviceId),
    xml('body', {}, 'plaintext that must not show'),
  );
  // 2. A key for another device only.
  await toRoom('other-device', encrypted(4242, 999_999), xml('body', {}, 'not for you either'));
  // 3. A forged reflection of alice's own message, sent to her directly and as a forged carbon.
  await mallory.xmpp.send(
    xml(
      'message',
      { to: alice.jid, type: 'groupchat', id: 'forged-reflection' },
      encrypted(aliceDevice.deviceId, aliceDevice.deviceId),
      xml('body', {}, 'forged reflection'),
    ),
  );
  await mallory.xmpp.send(
    xml(
      'message',
      { to: alice.jid, type: 'chat', id: 'forged-carbon' },
      xml(
        'sent',
        { xmlns: 'urn:xmpp:carbons:2' },
        xml(
          'forwarded',
          { xmlns: 'urn:xmpp:forward:0' },
          xml(
            'message',
            { from: `${secret}/Alice`, to: alice.jid, type: 'groupchat', id: 'x' },
            xml('body', {}, 'forged carbon'),
          ),
        ),
      ),
    ),
  );
  // 4. Then a plain message: the engine is still working.
  await mallory.sayInRoom(secret, 'plain after all that');
  await waitForRoomBody(alice, secret, 'plain after all that');

  const secretMessages = roomMessages(alice, secret);
  const byId = (id: string) => secretMessages.find((m) => m.remoteMsgId === id);
  const forged = byId('forged-sender');
  assert.equal(
    forged?.encryption,
    MESSAGE_ENCRYPTION.omemoFailed,
    'the forged sender is unable to decrypt',
  );
  assert.equal(forged?.body, '');
  assert.equal(forged?.trueCounterpart, jid('mallory'), 'attributed to who really sent it');
  const other = byId('other-device');
  assert.equal(other?.encryption, MESSAGE_ENCRYPTION.omemoNotForThisDevice);
  assert.equal(other?.body, '');
  for (const text of [
    'plaintext that must not show',
    'not for you either',
    'forged reflection',
    'forged carbon',
    'secret?',
  ]) {
    for (const d of [alice, bob]) {
      for (const r of [secret, lobby]) {
        assert.ok(!roomMessages(d, r).some((m) => m.body === text), `"${text}" is not shown`);
      }
    }
  }
  // Mallory has no OMEMO: the secret room stays unencrypted, and ferry says why.
  assert.deepEqual(roomState(alice, secret), {
    state: 'none',
    reason: `${jid('mallory')} has no OMEMO devices`,
  });

  // A new device of bob's reads the same from the room's archive: there the forged real JID
  // stands beside the one the room added, so neither is believed and nothing is decrypted.
  const bob2 = await startDevice(
    t,
    newDevice(t, server, 'bob', [{ room: secret, nick: 'Bob' }]),
    jid('bob'),
  );
  const archived = roomMessages(bob2, secret);
  const forgedInArchive = archived.find((m) => m.remoteMsgId === 'forged-sender');
  assert.equal(forgedInArchive?.encryption, MESSAGE_ENCRYPTION.omemoFailed);
  assert.equal(forgedInArchive?.body, '');
  assert.notEqual(forgedInArchive?.trueCounterpart, jid('bob'), 'not attributed to bob');
  assert.ok(archived.some((m) => m.body === 'plain after all that'));
  assert.ok(
    bob2.events.some((e) => e.kind === 'undecryptable' && /real JID/.test(e.error)),
    'refused for its unknown real JID',
  );
  await bob2.stop();

  // What the user reads: `ferry chats` tells each room's encryption and why it is off.
  await alice.stop();
  const chats = await runFerry(['--profile', alice.profile.dir, 'chats']);
  assert.equal(chats.code, 0, chats.stderr);
  const line = (room: string) => chats.stdout.split('\n').find((l) => l.startsWith(room)) ?? '';
  assert.match(
    line(lobby),
    /\(group, not encrypted: the room is open to anyone and hides its members’ addresses/,
  );
  assert.match(
    line(secret),
    new RegExp(`\\(group, not encrypted: ${jid('mallory')} has no OMEMO devices`),
  );
  const json = await runFerry(['--profile', alice.profile.dir, 'chats', '--json']);
  const rooms = JSON.parse(json.stdout) as { jid: string; encryption?: { state: string } }[];
  assert.equal(rooms.find((r) => r.jid === secret)?.encryption?.state, 'none');

  // And the web app's chat header, on a phone-sized screen.
  const app = await startWebApp({
    profileDir: alice.profile.dir,
    connect: false,
    home: alice.profile.dir,
  });
  t.after(() => app.close());
  const browser = await launchChromium();
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 375, height: 740 } });
  await page.goto(app.url);
  await page.getByRole('link', { name: 'Chats', exact: true }).click();
  await page.getByRole('button', { name: new RegExp(secret) }).click();
  const reason = page.getByText(`Because ${jid('mallory')} has no OMEMO devices.`);
  await reason.waitFor();
  assert.ok(await reason.isVisible(), 'the reason is on screen');
  const box = await reason.boundingBox();
  assert.ok(box && box.x >= 0 && box.x + box.width <= 375, 'the reason fits the screen');
  await screenshot(page, 'group-chat-not-encrypted');
});

const noProfanity = !profanityAvailable() && 'profanity or tmux is not installed';

test(
  'profanity in the room: encrypted room messages with ferry devices every way, before and after a ferry move',
  { skip: noProfanity },
  async (tc) => {
    const t = new Cleanup(tc);
    const server = await startProsody({ muc: true });
    t.after(() => server.stop());
    for (const user of ['alice', 'bob', 'carol']) await server.register(user, `pw-${user}`);
    const jid = (user: string) => `${user}@${server.domain}`;
    const room = `crew@${server.mucDomain}`;
    await createRoom(server, { user: 'alice', password: 'pw-alice' }, room, {
      membersOnly: true,
      nonAnonymous: true,
      members: [jid('bob'), jid('carol')],
    });
    await publishEmptyDeviceList(server, 'carol', 'pw-carol');
    const dir = mkdtempSync(join(tmpdir(), 'ferry-muc-prof-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const prof = await Profanity.start(join(dir, 'profanity'));
    t.after(() => prof.stop());
    await prof.login({ jid: jid('carol'), password: 'pw-carol', port: server.port });
    await prof.generateOmemoKeys();

    const alice = await startDevice(
      t,
      newDevice(t, server, 'alice', [{ room, nick: 'Alice' }]),
      jid('alice'),
    );
    const bob = await startDevice(
      t,
      newDevice(t, server, 'bob', [{ room, nick: 'Bob' }]),
      jid('bob'),
    );
    await prof.type(`/join ${room} nick Carol`);
    await prof.waitFor(/You have joined the room as Carol/);
    await prof.type('/omemo start');
    await prof.waitFor(/\[OMEMO\]/);

    // ferry → room: profanity decrypts (it would show the fallback body otherwise).
    await sayInRoom(alice, room, 'alice to the crew', [bob]);
    await prof.waitFor(/~ Alice: alice to the crew/);
    await sayInRoom(bob, room, 'bob to the crew', [alice]);
    await prof.waitFor(/~ Bob: bob to the crew/);
    // profanity → room: both ferry devices decrypt.
    await prof.type('carol to the crew');
    for (const d of [alice, bob]) {
      const got = await waitForRoomBody(d, room, 'carol to the crew');
      assert.equal(
        got.encryption,
        MESSAGE_ENCRYPTION.omemo,
        `carol's message decrypted at ${d.jid}`,
      );
      assert.equal(got.trueCounterpart, jid('carol'));
    }

    // Alice backs up; her old device keeps chatting with profanity, then retires.
    const outDir = mkdtempSync(join(tmpdir(), 'ferry-muc-backups-'));
    t.after(() => rmSync(outDir, { recursive: true, force: true }));
    const { written } = await createBackups(alice.profile, { outDir });
    assert.ok(written[0]);
    await sayInRoom(alice, room, 'old alice after the backup', [bob]);
    await prof.waitFor(/~ Alice: old alice after the backup/);
    await prof.type('carol answers old alice');
    await waitForRoomBody(alice, room, 'carol answers old alice');
    await sayInRoom(alice, room, 'old alice again', [bob]);
    await prof.waitFor(/~ Alice: old alice again/);
    await prof.type('gap from carol');
    await waitForRoomBody(bob, room, 'gap from carol');
    await alice.stop();

    const restoredProfile = profileIn(t, 'ferry-muc-prof-alice-');
    await importBackup(restoredProfile, written[0].file, 'pw-alice');
    setAccountEnabled(restoredProfile.db, jid('alice'), true);
    const restored = await startDevice(t, restoredProfile, jid('alice'));
    const messages = roomMessages(restored, room);
    for (const text of ['alice to the crew', 'bob to the crew', 'carol to the crew']) {
      assert.equal(messages.filter((m) => m.body === text).length, 1, `"${text}" from the backup`);
    }
    const gap = messages.filter((m) => m.encryption === MESSAGE_ENCRYPTION.omemoFailed);
    assert.ok(gap.length >= 1, 'the gap from carol is unable to decrypt');
    assert.ok(gap.every((m) => m.body === '' && m.trueCounterpart === jid('carol')));
    assert.ok(!messages.some((m) => m.body === 'gap from carol'));
    await waitUntil(
      () => restored.events.some((e) => e.kind === 'healed' && e.device.name === jid('carol')),
      20_000,
      'the restored device healing its session with profanity',
    );

    await sayInRoom(restored, room, 'restored alice to the crew', [bob]);
    await prof.waitFor(/~ Alice: restored alice to the crew/);
    await prof.type('carol reads restored alice');
    for (const d of [restored, bob]) {
      const got = await waitForRoomBody(d, room, 'carol reads restored alice');
      assert.equal(got.encryption, MESSAGE_ENCRYPTION.omemo, `decrypted at ${d.jid}`);
    }
    await sayInRoom(bob, room, 'bob to restored alice', [restored]);
    await prof.waitFor(/~ Bob: bob to restored alice/);
    assert.ok(
      !(await prof.screen()).includes(FALLBACK_BODY),
      'profanity never showed a fallback body',
    );
  },
);
