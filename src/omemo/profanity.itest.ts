/**
 * Interoperability with an independent OMEMO implementation: profanity (libsignal-protocol-c),
 * driven through tmux, chats encrypted with a ferry device before and after a ferry restore.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { client, xml } from '@xmpp/client';
import { addAccount, setAccountEnabled } from '../store/accounts.js';
import { findConversation } from '../store/conversations.js';
import { listMessages } from '../store/messages.js';
import { openProfile, type Profile } from '../store/profile.js';
import { createBackups } from '../migration/create-backup.js';
import { importBackup } from '../migration/import-backup.js';
import { Engine } from '../xmpp/engine.js';
import { startProsody, type ProsodyServer } from '../xmpp/testing/prosody.js';
import { waitUntil } from '../xmpp/testing/contact.js';
import { displayFingerprint } from './fingerprint.js';
import { ENCRYPTION_AXOLOTL } from './omemo-account.js';
import { OmemoCrypto } from './omemo-crypto.js';
import { DEVICELIST_NODE, OMEMO_NS } from './omemo-element.js';
import { Profanity, profanityAvailable } from './testing/profanity.js';

const fast = { backoff: { initialMs: 50, maxMs: 400 }, watchAccountsMs: 0 };

/** profanity never publishes its device list when fetching it answers item-not-found. */
async function publishEmptyDeviceList(server: ProsodyServer, user: string, password: string) {
  const c = client({ service: server.service, domain: server.domain, username: user, password });
  c.on('error', () => {});
  await c.start();
  const form = xml(
    'x',
    { xmlns: 'jabber:x:data', type: 'submit' },
    xml(
      'field',
      { var: 'FORM_TYPE', type: 'hidden' },
      xml('value', {}, 'http://jabber.org/protocol/pubsub#publish-options'),
    ),
    xml('field', { var: 'pubsub#access_model' }, xml('value', {}, 'open')),
  );
  await c.iqCaller.request(
    xml(
      'iq',
      { type: 'set' },
      xml(
        'pubsub',
        { xmlns: 'http://jabber.org/protocol/pubsub' },
        xml(
          'publish',
          { node: DEVICELIST_NODE },
          xml('item', { id: 'current' }, xml('list', { xmlns: OMEMO_NS })),
        ),
        xml('publish-options', {}, form),
      ),
    ),
  );
  await c.stop();
}

test(
  'profanity and ferry exchange OMEMO messages both ways, before and after a ferry restore',
  { skip: !profanityAvailable() && 'profanity/tmux not installed' },
  async (t) => {
    const cleanup: (() => unknown)[] = [];
    t.after(async () => {
      for (const step of cleanup.reverse()) {
        try {
          await step();
        } catch {
          // keep cleaning up
        }
      }
    });
    const dir = mkdtempSync(join(tmpdir(), 'ferry-profanity-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const server = await startProsody();
    cleanup.push(() => server.stop());
    await server.register('alice', 'pw-alice');
    await server.register('carol', 'pw-carol');
    const alice = `alice@${server.domain}`;
    const carol = `carol@${server.domain}`;
    await publishEmptyDeviceList(server, 'carol', 'pw-carol');

    const startFerry = async (profile: Profile) => {
      const engine = new Engine(profile, { ...fast, crypto: new OmemoCrypto(profile.db) });
      const caught = new Promise((r) => engine.once('catchup-done', r));
      await engine.start();
      await caught;
      let stopped = false;
      const stop = async () => {
        if (!stopped) await engine.stop();
        stopped = true;
      };
      cleanup.push(stop);
      return { engine, stop };
    };
    const openIn = (name: string) => {
      const profile = openProfile(join(dir, name));
      cleanup.push(() => profile.close());
      return profile;
    };
    const received = (profile: Profile, body: string) => () => {
      const uuid = (profile.db.prepare('SELECT uuid FROM accounts').get() as { uuid: string }).uuid;
      const conv = findConversation(profile.db, uuid, carol);
      return (
        !!conv &&
        listMessages(profile.db, conv.uuid).some(
          (m) => m.body === body && m.status === 0 && m.encryption === ENCRYPTION_AXOLOTL,
        )
      );
    };

    // ferry's device A is online with its keys published.
    const deviceA = openIn('alice-a');
    addAccount(deviceA.db, {
      jid: alice,
      password: 'pw-alice',
      hostname: '127.0.0.1',
      port: server.port,
    });
    const a = await startFerry(deviceA);

    // profanity logs in as carol, makes its OMEMO keys, trusts blindly.
    const prof = await Profanity.start(join(dir, 'profanity-home'));
    cleanup.push(() => prof.stop());
    await prof.type(`/account add ${carol}`);
    await prof.waitFor(/Account created/);
    for (const setting of [
      'server 127.0.0.1',
      `port ${server.port}`,
      'tls disable',
      'password pw-carol',
    ]) {
      await prof.type(`/account set ${carol} ${setting}`);
    }
    await prof.waitFor(/Updated password for account/);
    await prof.type(`/connect ${carol}`);
    await prof.waitFor(/logged in successfully/);
    await prof.type('/omemo gen');
    await prof.waitFor(/OMEMO crytographic materials generated/, 30_000);
    await prof.type('/omemo trustmode blind');
    await prof.waitFor(/trusted automatically/);

    // profanity learns alice's device: wait until it shows her fingerprint.
    const aliceFp = displayFingerprint(
      (
        deviceA.db.prepare('SELECT fingerprint FROM identities WHERE ownkey = 1').get() as {
          fingerprint: string;
        }
      ).fingerprint,
    ).replaceAll(' ', '-');
    await prof.type(`/msg ${alice}`);
    await prof.type(`/omemo start ${alice}`);
    const deadline = Date.now() + 15_000;
    for (;;) {
      await prof.type(`/omemo fingerprint ${alice}`);
      const screen = await prof.screen();
      if (screen.includes(aliceFp)) break;
      if (Date.now() > deadline)
        throw new Error(`profanity never learned alice's device:\n${screen}`);
      await new Promise((r) => setTimeout(r, 300));
    }

    await prof.type('hello ferry, from profanity');
    await waitUntil(
      received(deviceA, 'hello ferry, from profanity'),
      15_000,
      'ferry decrypting profanity',
    );
    const sent = await a.engine.sendMessage(alice, carol, 'hello profanity, from ferry');
    assert.equal(sent.encryption, ENCRYPTION_AXOLOTL);
    await prof.waitFor(/hello profanity, from ferry/);

    // Move alice to a new ferry device; the chat with profanity goes on.
    await a.stop();
    const outDir = join(dir, 'backups');
    const { written } = await createBackups(deviceA, { outDir, deactivate: true });
    assert.ok(written[0]);
    const deviceC = openIn('alice-c');
    await importBackup(deviceC, written[0].file, 'pw-alice');
    setAccountEnabled(deviceC.db, alice, true);
    const c = await startFerry(deviceC);
    await prof.type('still there after your move?');
    await waitUntil(
      received(deviceC, 'still there after your move?'),
      15_000,
      'the restored device decrypting profanity',
    );
    await c.engine.sendMessage(alice, carol, 'yes, restored and encrypted');
    await prof.waitFor(/yes, restored and encrypted/);
  },
);
