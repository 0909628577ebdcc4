/**
 * OMEMO across a device move, against a real Prosody, with two ferry devices (alice and bob):
 * (1) a quiet move: backup, restore on a new profile, the encrypted chat goes on, nothing lost;
 * (2) the old device kept chatting after the backup: the restored one shows the gap as "unable to
 * decrypt", heals, the next messages decrypt both ways, and a backup written after the move
 * imports again and keeps working.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openProfile, type Profile } from '../store/profile.js';
import { addAccount, setAccountEnabled } from '../store/accounts.js';
import { findConversation } from '../store/conversations.js';
import { listMessages, MESSAGE_ENCRYPTION, type MessageRow } from '../store/messages.js';
import { createBackups } from '../migration/create-backup.js';
import { importBackup } from '../migration/import-backup.js';
import { startProsody, type ProsodyServer } from '../xmpp/testing/prosody.js';
import { waitUntil } from '../xmpp/testing/contact.js';
import { Engine } from '../xmpp/engine.js';
import { OmemoCrypto, type OmemoEvent } from './omemo-crypto.js';
import { Cleanup } from '../testing/cleanup.js';

const fast = { backoff: { initialMs: 50, maxMs: 400 }, watchAccountsMs: 0 };
type T = Cleanup;

function profileIn(t: T, prefix: string): Profile {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const profile = openProfile(dir);
  t.after(() => {
    profile.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return profile;
}

interface Device {
  profile: Profile;
  engine: Engine;
  events: OmemoEvent[];
  jid: string;
  stop(): Promise<void>;
}

async function startDevice(t: T, profile: Profile, jid: string): Promise<Device> {
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

function newDevice(t: T, server: ProsodyServer, user: string, resource: string): Profile {
  const profile = profileIn(t, `ferry-omemo-${user}-`);
  addAccount(profile.db, {
    jid: `${user}@${server.domain}`,
    password: `pw-${user}`,
    ...server.accountOptions,
    resource,
  });
  return profile;
}

function messagesWith(device: Device, contact: string): MessageRow[] {
  const account = device.profile.db.prepare('SELECT uuid FROM accounts LIMIT 1').get() as {
    uuid: string;
  };
  const conversation = findConversation(device.profile.db, account.uuid, contact);
  return conversation ? listMessages(device.profile.db, conversation.uuid) : [];
}

async function waitForBody(device: Device, contact: string, body: string): Promise<MessageRow> {
  let found: MessageRow | undefined;
  await waitUntil(
    () => {
      found = messagesWith(device, contact).find((m) => m.body === body && m.status === 0);
      return found !== undefined;
    },
    15_000,
    `"${body}" on ${device.jid}`,
  );
  return found as MessageRow;
}

/** A sends, B receives it decrypted (encryption 5). */
async function say(from: Device, to: Device, text: string): Promise<void> {
  const sent = await from.engine.sendMessage(from.jid, to.jid, text);
  assert.equal(sent.encryption, MESSAGE_ENCRYPTION.omemo, `"${text}" was sent encrypted`);
  const got = await waitForBody(to, from.jid, text);
  assert.equal(got.encryption, MESSAGE_ENCRYPTION.omemo);
}

async function restore(t: T, backupOf: Profile, jid: string, prefix: string): Promise<Profile> {
  const outDir = mkdtempSync(join(tmpdir(), 'ferry-omemo-backups-'));
  t.after(() => rmSync(outDir, { recursive: true, force: true }));
  const { written } = await createBackups(backupOf, { outDir, deactivate: true });
  const file = written[0]?.file;
  assert.ok(file, 'a backup was written');
  const profile = profileIn(t, prefix);
  await importBackup(profile, file, `pw-${jid.split('@')[0]}`);
  setAccountEnabled(profile.db, jid, true);
  return profile;
}

async function setup(t: T) {
  const server = await startProsody();
  t.after(() => server.stop());
  await server.register('alice', 'pw-alice');
  await server.register('bob', 'pw-bob');
  const alice = await startDevice(
    t,
    newDevice(t, server, 'alice', 'ferry.A'),
    `alice@${server.domain}`,
  );
  const bob = await startDevice(t, newDevice(t, server, 'bob', 'ferry.B'), `bob@${server.domain}`);
  return { server, alice, bob };
}

test('quiet move: the encrypted chat goes on after a restore, nothing lost', async (tc) => {
  const t = new Cleanup(tc);
  const { alice, bob } = await setup(t);
  await say(bob, alice, 'hello alice, encrypted');
  await say(alice, bob, 'hello bob, encrypted too');
  await say(bob, alice, 'how are you?');
  // Bob's first message used one of alice's prekeys: she topped them up and published again.
  const published = alice.events.filter((e) => e.kind === 'published');
  assert.ok(published.length >= 2, 'the bundle was published again after a prekey was used');
  assert.equal(published.at(-1)?.kind === 'published' && published.at(-1)?.preKeys, 100);

  await alice.stop();
  const restoredProfile = await restore(t, alice.profile, alice.jid, 'ferry-omemo-alice-new-');
  await bob.engine.sendMessage(bob.jid, alice.jid, 'sent while alice moves');
  const restored = await startDevice(t, restoredProfile, alice.jid);
  await waitForBody(restored, bob.jid, 'sent while alice moves');
  await say(restored, bob, 'I am on my new device');
  await say(bob, restored, 'welcome back');
  const failed = messagesWith(restored, bob.jid).filter(
    (m) => m.encryption === MESSAGE_ENCRYPTION.omemoFailed,
  );
  assert.deepEqual(failed, [], 'nothing is unable to decrypt after a quiet move');
});

test('old device kept chatting: the gap is unable to decrypt, heals, a later backup works again', async (tc) => {
  const t = new Cleanup(tc);
  const { alice, bob } = await setup(t);
  await say(bob, alice, 'before the backup');
  await say(alice, bob, 'ack before the backup');

  const outDir = mkdtempSync(join(tmpdir(), 'ferry-omemo-backups-'));
  t.after(() => rmSync(outDir, { recursive: true, force: true }));
  const { written } = await createBackups(alice.profile, { outDir });
  const file = written[0]?.file;
  assert.ok(file);

  // The old device goes on after the backup: both ratchets move past what the backup holds.
  await say(alice, bob, 'old phone, after the backup');
  await say(bob, alice, 'bob answers the old phone');
  await say(alice, bob, 'old phone again');
  await say(bob, alice, 'gap message');
  await alice.stop();

  const bobEventsBefore = bob.events.length;
  const restoredProfile = profileIn(t, 'ferry-omemo-alice-restored-');
  await importBackup(restoredProfile, file, 'pw-alice');
  setAccountEnabled(restoredProfile.db, alice.jid, true);
  const restored = await startDevice(t, restoredProfile, alice.jid);

  const gap = await (async () => {
    let row: MessageRow | undefined;
    await waitUntil(
      () => {
        row = messagesWith(restored, bob.jid).find(
          (m) => m.encryption === MESSAGE_ENCRYPTION.omemoFailed && m.status === 0,
        );
        return row !== undefined;
      },
      15_000,
      'the gap message marked unable to decrypt',
    );
    return row as MessageRow;
  })();
  assert.equal(gap.body, '', 'nothing undecryptable shown as text');
  assert.ok(!messagesWith(restored, bob.jid).some((m) => m.body === 'gap message'));
  await waitUntil(() => restored.events.some((e) => e.kind === 'healed'), 15_000, 'self-healing');
  // Bob has the healing key transport (a fresh session from the restored device) before he writes.
  await waitUntil(
    () =>
      bob.events
        .slice(bobEventsBefore)
        .some((e) => e.kind === 'key-transport' && e.device.name === alice.jid),
    15_000,
    'bob receiving the healing message',
  );

  await say(bob, restored, 'after healing');
  await say(restored, bob, 'the new phone reads you');
  await say(bob, restored, 'and back again');

  // A backup written after the move imports again and keeps working.
  await restored.stop();
  const again = await restore(t, restoredProfile, alice.jid, 'ferry-omemo-alice-third-');
  const third = await startDevice(t, again, alice.jid);
  await say(bob, third, 'to the third device');
  await say(third, bob, 'third device here');
  assert.equal(
    messagesWith(third, bob.jid).filter((m) => m.encryption === MESSAGE_ENCRYPTION.omemoFailed)
      .length,
    messagesWith(restored, bob.jid).filter((m) => m.encryption === MESSAGE_ENCRYPTION.omemoFailed)
      .length,
  );
});
