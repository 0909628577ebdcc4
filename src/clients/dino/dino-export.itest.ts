/**
 * Conversations → Dino with the real Dino (Debian dino-im 0.4.2): a ferry account with history and
 * an OMEMO session with a contact is exported with `ferry export --to dino`; Dino, started on that
 * home, logs in over TLS, shows the old history, decrypts the contact's next OMEMO message on the
 * existing session, and its reply decrypts at the contact. Its device and identity stay the same.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MESSAGE_ENCRYPTION } from '../../store/messages.js';
import { readAccountKeys, readOwnIdentity, readSession } from '../../store/omemo-keys.js';
import { findAccountByJid, isAccountEnabled } from '../../store/accounts.js';
import { SessionRecordCodec } from '../../omemo/records.js';
import { fetchBundle, fetchDeviceIds } from '../../omemo/pep.js';
import { IdentityKeyPairCodec } from '../../omemo/records.js';
import { runFerry } from '../../cli/testing/run-ferry.js';
import { dinoUnavailable, startDino } from './testing/dino.js';
import { DINO_DOMAIN, startTwoDomainProsody } from './testing/tls-prosody.js';
import {
  Cleanup,
  keepLog,
  dinoMessages,
  newProfile,
  queryDino,
  startFerry,
  dinoDelivered,
  decrypted,
  received,
  waitUntil,
  type FerryDevice,
} from './testing/scenario.js';

const skip = dinoUnavailable();
const SHOTS = join('test-output', 'dino');

async function say(from: FerryDevice, to: string, text: string): Promise<void> {
  const sent = await from.engine.sendMessage(from.jid, to, text);
  assert.equal(sent.encryption, MESSAGE_ENCRYPTION.omemo, `"${text}" went out encrypted`);
}

/** The base key that identifies the session bob holds with alice's device (new session: new key). */
function sessionBaseKey(
  bob: FerryDevice,
  bobUuid: string,
  alice: string,
  deviceId: number,
): string {
  const record = readSession(bob.profile.db, bobUuid, alice, deviceId);
  assert.ok(record, 'bob has a session with alice');
  const current = SessionRecordCodec.decode(record).currentSession;
  return Buffer.from(current?.aliceBaseKey ?? []).toString('hex');
}

test(
  'ferry → Dino: the real Dino shows the history, decrypts on the carried session and answers',
  {
    skip,
    timeout: 420_000,
  },
  async (tc) => {
    const c = new Cleanup(tc);
    const dir = c.tempDir('ferry-dino-export-');
    mkdirSync(SHOTS, { recursive: true });
    const prosody = await startTwoDomainProsody();
    c.after(() => prosody.stop());
    keepLog(c, 'prosody', () => prosody.server.log());
    const { server } = prosody;
    await prosody.registerDinoUser('alice', 'pw-alice');
    await server.register('bob', 'pw-bob');
    const alice = `alice@${DINO_DOMAIN}`;
    const bob = `bob@${server.domain}`;

    // Before: alice on ferry (a restored Conversations account), bob a contact; OMEMO both ways.
    const aliceDir = join(dir, 'alice-profile');
    const aliceProfile = newProfile(
      c,
      aliceDir,
      alice,
      'pw-alice',
      server.port,
      'Conversations.x7Qp',
      false,
    );
    const bobProfile = newProfile(
      c,
      join(dir, 'bob'),
      bob,
      'pw-bob',
      server.port,
      'ferry.bob',
      true,
    );
    const aliceDev = await startFerry(c, aliceProfile, alice, prosody.caPem);
    const bobDev = await startFerry(c, bobProfile, bob, prosody.caPem);
    const history = ['hello alice, encrypted', 'hi bob, here too', 'tell me when you are on Dino'];
    await say(bobDev, alice, history[0]!);
    await received(aliceDev, bob, history[0]!);
    await say(aliceDev, bob, history[1]!);
    await received(bobDev, alice, history[1]!);
    await say(bobDev, alice, history[2]!);
    await received(aliceDev, bob, history[2]!);
    await aliceDev.stop();

    const aliceAccount = findAccountByJid(aliceProfile.db, alice)!;
    const deviceId = Number(readAccountKeys(aliceProfile.db, aliceAccount.uuid).axolotl_reg_id);
    const identityKey = Buffer.from(
      IdentityKeyPairCodec.decode(readOwnIdentity(aliceProfile.db, aliceAccount.uuid)!.key)
        .publicKey!,
    );
    const bobUuid = findAccountByJid(bobProfile.db, bob)!.uuid;
    const baseKeyBefore = sessionBaseKey(bobDev, bobUuid, alice, deviceId);

    // The never-clone rule: an enabled account is not exported without saying what to do with it.
    const home = join(dir, 'dino-home');
    const refused = await runFerry([
      '--profile',
      aliceDir,
      'export',
      '--account',
      alice,
      '--to',
      'dino',
      '--out',
      home,
    ]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /enabled in this profile/);
    const exported = await runFerry([
      '--profile',
      aliceDir,
      'export',
      '--account',
      alice,
      '--to',
      'dino',
      '--out',
      home,
      '--deactivate',
    ]);
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stdout, /Exported alice@dino\.test for Dino/);
    assert.match(exported.stdout, /OMEMO sessions: 1/);
    assert.match(exported.stdout, /HOME=.* dino/);
    aliceProfile.db.pragma('wal_checkpoint(PASSIVE)');
    assert.equal(
      isAccountEnabled(findAccountByJid(aliceProfile.db, alice)!),
      false,
      'handed over, not cloned',
    );

    // Dino's turn: it starts on the exported home.
    const dino = await startDino({
      home,
      domain: DINO_DOMAIN,
      prosodyPort: server.port,
      caCertPem: prosody.caPem,
    });
    c.after(() => dino.stop());
    keepLog(c, 'dino', () => dino.output());
    await waitUntil(
      () =>
        queryDino<{ v: string | null }>(home, 'dino', 'SELECT roster_version AS v FROM account')[0]
          ?.v != null,
      60_000,
      `Dino logging in (output so far: ${dino.output().slice(-400)})`,
    );

    // The contact's next message, on the session carried over: Dino decrypts it and shows it.
    const eventsBefore = bobDev.events.length;
    await say(bobDev, alice, 'are you on Dino now?');
    await waitUntil(
      () => dinoMessages(home).some((m) => m.body === 'are you on Dino now?' && m.hide !== null),
      60_000,
      'Dino storing the new message',
    );
    const incoming = dinoMessages(home).find((m) => m.body === 'are you on Dino now?')!;
    assert.equal(incoming.encryption, 2, 'OMEMO');
    assert.equal(incoming.hide, 0, 'shown, not hidden as from an untrusted device');
    assert.equal(
      sessionBaseKey(bobDev, bobUuid, alice, deviceId),
      baseKeyBefore,
      'bob encrypted on the existing session',
    );
    assert.deepEqual(
      bobDev.events.slice(eventsBefore).filter((e) => e.kind === 'session-built'),
      [],
      'no new session was built',
    );

    // The old history is there once each (Dino's own archive catch-up added no copies).
    const bodies = dinoMessages(home).map((m) => m.body);
    for (const text of history)
      assert.equal(bodies.filter((b) => b === text).length, 1, `"${text}" once in Dino`);

    // Dino answers (typed into its message box of the chat) once its OMEMO start-up is done; bob
    // decrypts it.
    await dino.settled(alice, deviceId);
    await dino.say('yes, Dino here, encrypted', () =>
      dinoMessages(home).some((m) => m.body === 'yes, Dino here, encrypted'),
    );
    try {
      await dinoDelivered({
        home,
        body: 'yes, Dino here, encrypted',
        delivered: () => decrypted(bobDev, alice, 'yes, Dino here, encrypted'),
        dino,
      });
    } catch (err) {
      await dino.screenshot(join(SHOTS, 'export-chat.png'));
      const state = JSON.stringify(dinoMessages(home).map((m) => [m.body, m.marked]));
      throw new Error(`${(err as Error).message}\n${state}\n${dino.output().slice(-1500)}`);
    }
    await dino.screenshot(join(SHOTS, 'export-chat.png'));
    const reply = dinoMessages(home).find((m) => m.body === 'yes, Dino here, encrypted');
    assert.equal(reply?.encryption, 2, 'Dino sent it with OMEMO');

    // Same device, same identity: in Dino's database and on the server.
    const identity = queryDino<{ device_id: number; pub: string }>(
      home,
      'omemo',
      'SELECT device_id, identity_key_public_base64 AS pub FROM identity',
    );
    assert.deepEqual(
      identity.map((i) => [i.device_id, Buffer.from(i.pub, 'base64').toString('hex')]),
      [[deviceId, identityKey.toString('hex')]],
    );
    const channel = bobDev.engine.channel(bob);
    assert.ok(channel);
    assert.deepEqual(await fetchDeviceIds(channel, alice), [deviceId], 'device list unchanged');
    const bundle = await fetchBundle(channel, alice, deviceId);
    const published = bundle?.getChildText('identityKey');
    assert.equal(
      Buffer.from(published ?? '', 'base64').toString('hex'),
      identityKey.toString('hex'),
      'the published identity key is the carried one',
    );
  },
);
