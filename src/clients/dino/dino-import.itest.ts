/**
 * Dino → Conversations with the real Dino (Debian dino-im 0.4.2): a Dino home made by running Dino
 * (its account logs in over TLS, makes its OMEMO keys, chats encrypted with a contact), read with
 * `ferry backup import --from dino`, backed up with `ferry backup create`, and that `.ceb` restored
 * in a fresh profile and in the Conversations reference importer: the history is there and the
 * contact's next OMEMO message decrypts on the existing session.
 */
import {
  CONVERSATIONS_REF,
  conversationsReference,
  REFERENCE_MISSING,
} from '../../testing/conversations-ref.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from '../../store/sqlite.js';
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { findAccountByJid, isAccountEnabled, setAccountEnabled } from '../../store/accounts.js';
import { MESSAGE_ENCRYPTION } from '../../store/messages.js';
import { openProfile } from '../../store/profile.js';
import { readAccountKeys, readSession } from '../../store/omemo-keys.js';
import { SessionRecordCodec } from '../../omemo/records.js';
import { fetchBundle, fetchDeviceIds } from '../../omemo/pep.js';
import { runFerry } from '../../cli/testing/run-ferry.js';
import { dinoDbPath } from './layout.js';
import { dinoUnavailable, startDino, type RunningDino } from './testing/dino.js';
import { DINO_DOMAIN, startTwoDomainProsody } from './testing/tls-prosody.js';
import {
  Cleanup,
  chatWith,
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
const REF = CONVERSATIONS_REF;
const refSkip = conversationsReference() === undefined ? REFERENCE_MISSING : false;

function baseKeyOf(record: Buffer | undefined): string {
  assert.ok(record, 'a session exists');
  return Buffer.from(SessionRecordCodec.decode(record).currentSession?.aliceBaseKey ?? []).toString(
    'hex',
  );
}

test(
  'Dino → ferry → .ceb: a home made by the real Dino comes back with its history and OMEMO session',
  {
    skip,
    timeout: 420_000,
  },
  async (tc) => {
    const c = new Cleanup(tc);
    const dir = c.tempDir('ferry-dino-import-');
    mkdirSync(SHOTS, { recursive: true });
    const prosody = await startTwoDomainProsody();
    c.after(() => prosody.stop());
    keepLog(c, 'prosody', () => prosody.server.log());
    const { server } = prosody;
    await prosody.registerDinoUser('alice', 'pw-alice');
    await server.register('bob', 'pw-bob');
    const alice = `alice@${DINO_DOMAIN}`;
    const bob = `bob@${server.domain}`;
    const bobProfile = newProfile(
      c,
      join(dir, 'bob'),
      bob,
      'pw-bob',
      server.port,
      'ferry.bob',
      true,
    );
    const bobDev = await startFerry(c, bobProfile, bob, prosody.caPem);

    // Dino's first start makes its databases; the account goes in as Dino's "add account" stores it.
    const home = join(dir, 'dino-home');
    mkdirSync(home, { mode: 0o700 });
    const startOn = async () => {
      const d = await startDino({
        home,
        domain: DINO_DOMAIN,
        prosodyPort: server.port,
        caCertPem: prosody.caPem,
      });
      c.after(() => d.stop());
      keepLog(c, 'dino', () => d.output());
      return d;
    };
    let dino: RunningDino = await startOn();
    await waitUntil(
      () => {
        try {
          return (['dino', 'omemo'] as const).every(
            (db) =>
              queryDino(home, db, "SELECT int_val FROM _meta WHERE name = 'version'").length > 0,
          );
        } catch {
          return false; // being created
        }
      },
      60_000,
      'Dino creating its databases',
    );
    await dino.stop();
    const db = new Database(dinoDbPath(home));
    db.prepare(
      `INSERT INTO account (bare_jid, resourcepart, password, alias, enabled, mam_earliest_synced)
       VALUES (?, 'dino.a1b2c3d4', 'pw-alice', NULL, 1, 0)`,
    ).run(alice);
    db.close();

    // Dino logs in, makes and publishes its OMEMO device; bob writes to it encrypted, Dino answers.
    dino = await startOn();
    await waitUntil(
      () =>
        (queryDino<{ n: number }>(home, 'omemo', 'SELECT count(*) AS n FROM pre_key')[0]?.n ?? 0) >
        0,
      60_000,
      `Dino making its OMEMO keys (output: ${dino.output().slice(-400)})`,
    );
    const deviceId = queryDino<{ device_id: number }>(
      home,
      'omemo',
      'SELECT device_id FROM identity',
    )[0]?.device_id;
    assert.ok(deviceId, 'Dino made an OMEMO device');
    // Bob's device list must show Dino's device before bob can encrypt to it.
    const channel = bobDev.engine.channel(bob);
    assert.ok(channel);
    await waitUntil(
      async () => (await fetchDeviceIds(channel, alice)).includes(deviceId),
      60_000,
      'Dino publishing its device list',
    );
    await waitUntil(
      async () => (await fetchBundle(channel, alice, deviceId)) !== undefined,
      60_000,
      'Dino publishing its bundle (open to everyone)',
    );
    const first = await bobDev.engine.sendMessage(bob, alice, 'hello Dino, from bob');
    assert.equal(first.encryption, MESSAGE_ENCRYPTION.omemo);
    await waitUntil(
      () => dinoMessages(home).some((m) => m.body === 'hello Dino, from bob' && m.hide === 0),
      60_000,
      'Dino decrypting and showing bob’s message',
    );
    await dino.xdotool(['mousemove', '150', '80', 'click', '1']);
    await new Promise((r) => setTimeout(r, 1500));
    // A chat Dino opened for an incoming message starts unencrypted; the lock menu (Unencrypted /
    // OpenPGP / OMEMO) stores the choice in conversation.encryption. Choose OMEMO there, with Dino
    // stopped (its popover proved unreliable to click headless), and start it again.
    await dino.stop();
    const dinoDb = new Database(dinoDbPath(home));
    dinoDb.prepare('UPDATE conversation SET encryption = 2').run();
    dinoDb.close();
    dino = await startOn();
    await dino.settled(alice, deviceId);
    await dino.say('hi bob, Dino answering', () =>
      dinoMessages(home).some((m) => m.body === 'hi bob, Dino answering'),
    );
    try {
      await dinoDelivered({
        home,
        body: 'hi bob, Dino answering',
        delivered: () => decrypted(bobDev, alice, 'hi bob, Dino answering'),
        dino,
      });
    } catch (err) {
      await dino.screenshot(join(SHOTS, 'import-dino-chat.png'));
      const state = JSON.stringify({
        dino: dinoMessages(home),
        bob: chatWith(bobDev.profile, bob, alice).map((m) => [m.body, m.encryption]),
      });
      throw new Error(`${(err as Error).message}\n${state}\n${dino.output().slice(-1500)}`);
    }
    // The chat in Dino's window, the reply marked as sent.
    await dino.screenshot(join(SHOTS, 'import-dino-chat.png'));
    await dino.stop();

    // Into a ferry profile, all or nothing; the account stays disabled (never clone).
    const profileDir = join(dir, 'alice-ferry');
    const imported = await runFerry([
      '--profile',
      profileDir,
      'backup',
      'import',
      '--from',
      'dino',
      home,
    ]);
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, /Imported alice@dino\.test from Dino/);
    assert.match(imported.stdout, /OMEMO sessions: 1/);
    const again = await runFerry([
      '--profile',
      profileDir,
      'backup',
      'import',
      '--from',
      'dino',
      home,
    ]);
    assert.notEqual(again.code, 0, 'the same account twice is refused');
    const backups = join(dir, 'backups');
    const created = await runFerry(['--profile', profileDir, 'backup', 'create', '--out', backups]);
    assert.equal(created.code, 0, created.stderr);
    const ceb = readdirSync(backups).find((f) => f.endsWith('.ceb'));
    assert.ok(ceb, 'a .ceb was written');
    const cebFile = join(backups, ceb);

    // Restored in a fresh profile: the history is there.
    const freshDir = join(dir, 'alice-fresh');
    const passwordFile = join(dir, 'password');
    writeFileSync(passwordFile, 'pw-alice\n');
    const restored = await runFerry([
      '--profile',
      freshDir,
      'backup',
      'import',
      cebFile,
      '--password-file',
      passwordFile,
    ]);
    assert.equal(restored.code, 0, restored.stderr);
    const fresh = openProfile(freshDir);
    c.after(() => fresh.close());
    const history = chatWith(fresh, alice, bob).map((m) => [
      m.body,
      m.status === 0 ? 'in' : 'out',
      m.encryption,
    ]);
    assert.deepEqual(history, [
      ['hello Dino, from bob', 'in', MESSAGE_ENCRYPTION.omemo],
      ['hi bob, Dino answering', 'out', MESSAGE_ENCRYPTION.omemo],
    ]);
    const freshAccount = findAccountByJid(fresh.db, alice)!;
    assert.equal(
      Number(readAccountKeys(fresh.db, freshAccount.uuid).axolotl_reg_id),
      deviceId,
      'same device',
    );

    // And in Conversations' own importer (the reference re-implementation): same rows, same keys.
    if (refSkip) {
      tc.diagnostic(`skipped the Conversations reference import: ${refSkip}`);
    } else {
      const refDb = join(dir, 'conversations.db');
      const ref = spawnSync(
        REF,
        ['import', '--ceb', cebFile, '--password-file', passwordFile, '--db', refDb, '--strict'],
        {
          encoding: 'utf8',
        },
      );
      assert.equal(ref.status, 0, ref.stderr);
      const conv = new Database(refDb, { readonly: true });
      const bodies = conv.prepare('SELECT body FROM messages ORDER BY timeSent').pluck().all();
      assert.deepEqual(bodies, ['hello Dino, from bob', 'hi bob, Dino answering']);
      const refUuid = conv.prepare('SELECT uuid FROM accounts').pluck().get() as string;
      assert.equal(
        baseKeyOf(readSession(conv, refUuid, bob, bobDeviceId(bobDev))),
        baseKeyOf(readSession(fresh.db, freshAccount.uuid, bob, bobDeviceId(bobDev))),
        'Conversations holds the same session',
      );
      conv.close();
      // The database Conversations' importer made, used as a device of its own: its session decrypts.
      const refDevice = join(dir, 'conversations-device');
      mkdirSync(refDevice, { mode: 0o700 });
      copyFileSync(refDb, join(refDevice, 'ferry.db'));
      const refProfile = openProfile(refDevice);
      c.after(() => refProfile.close());
      setAccountEnabled(refProfile.db, alice, true);
      refProfile.db
        .prepare('UPDATE accounts SET hostname = ?, port = ?')
        .run('127.0.0.1', server.port);
      const onRef = await startFerry(c, refProfile, alice, prosody.caPem);
      await bobDev.engine.sendMessage(bob, alice, 'to the Conversations copy');
      await received(onRef, bob, 'to the Conversations copy');
      await onRef.stop();
    }

    // The fresh profile goes online (over TLS, trusting the test CA).
    setAccountEnabled(fresh.db, alice, true);
    fresh.db.prepare('UPDATE accounts SET hostname = ?, port = ?').run('127.0.0.1', server.port);
    const bobUuid = findAccountByJid(bobProfile.db, bob)!.uuid;
    const bobBaseKey = baseKeyOf(readSession(bobProfile.db, bobUuid, alice, deviceId));
    const aliceDev = await startFerry(c, fresh, alice, prosody.caPem);
    const eventsBefore = bobDev.events.length;
    await bobDev.engine.sendMessage(bob, alice, 'after your move to ferry');
    await received(aliceDev, bob, 'after your move to ferry');
    assert.equal(
      baseKeyOf(readSession(bobProfile.db, bobUuid, alice, deviceId)),
      bobBaseKey,
      'bob encrypted on the existing session',
    );
    assert.deepEqual(
      bobDev.events.slice(eventsBefore).filter((e) => e.kind === 'session-built'),
      [],
      'no new session',
    );
    assert.equal(isAccountEnabled(findAccountByJid(fresh.db, alice)!), true);
  },
);

function bobDeviceId(bob: FerryDevice): number {
  const uuid = findAccountByJid(bob.profile.db, bob.jid)!.uuid;
  return Number(readAccountKeys(bob.profile.db, uuid).axolotl_reg_id);
}
