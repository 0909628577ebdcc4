/**
 * Interoperability with an independent OMEMO implementation: profanity 0.13 (libsignal-protocol-c),
 * driven through tmux (`testing/profanity.ts`), chatting with a ferry account on a real Prosody —
 * encrypted both ways, before and after the ferry account moved to a new profile through a backup.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addAccount, findAccountByJid, setAccountEnabled } from '../store/accounts.js';
import { findConversation } from '../store/conversations.js';
import { MESSAGE_ENCRYPTION, MESSAGE_STATUS, listMessages } from '../store/messages.js';
import { openProfile, type Profile } from '../store/profile.js';
import { createBackups } from '../migration/create-backup.js';
import { importBackup } from '../migration/import-backup.js';
import { Engine, type EngineOptions } from '../xmpp/engine.js';
import { startProsody } from '../xmpp/testing/prosody.js';
import { waitUntil } from '../xmpp/testing/contact.js';
import { displayFingerprint } from './fingerprint.js';
import { OmemoCrypto } from './omemo-crypto.js';
import { FALLBACK_BODY } from './omemo-element.js';
import { Profanity, profanityAvailable, publishEmptyDeviceList } from './testing/profanity.js';

const skip = !profanityAvailable() && 'profanity or tmux is not installed';
const fast: EngineOptions = { backoff: { initialMs: 50, maxMs: 400 }, watchAccountsMs: 0 };

/**
 * A message line in profanity's chat window: its mark (`~` OMEMO-encrypted and decrypted, `-` plain
 * text), then `jid/resource: text`.
 */
function lineFrom(jid: string, mark: '~' | '-', text: string): RegExp {
  const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`${literal(mark)} ${literal(jid)}/\\S+: ${literal(text)}`);
}

/** Everything a test starts, ended in reverse order after it, whatever happened. */
function cleanupAfter(t: TestContext) {
  const steps: (() => unknown)[] = [];
  t.after(async () => {
    for (const step of steps.reverse()) {
      try {
        await step();
      } catch {
        // keep cleaning up
      }
    }
  });
  return (step: () => unknown) => steps.push(step);
}

async function setup(t: TestContext) {
  const onCleanup = cleanupAfter(t);
  const dir = mkdtempSync(join(tmpdir(), 'ferry-prof-'));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  const server = await startProsody();
  onCleanup(() => server.stop());
  await server.register('alice', 'pw-alice');
  await server.register('carol', 'pw-carol');
  const alice = `alice@${server.domain}`;
  const carol = `carol@${server.domain}`;

  const openIn = (name: string) => {
    const profile = openProfile(join(dir, name));
    onCleanup(() => profile.close());
    return profile;
  };
  const startFerry = async (profile: Profile, opts: EngineOptions) => {
    const engine = new Engine(profile, opts);
    const caught = new Promise((r) => engine.once('catchup-done', r));
    await engine.start();
    await caught;
    let stopped = false;
    const stop = async () => {
      if (!stopped) await engine.stop();
      stopped = true;
    };
    onCleanup(stop);
    return { engine, stop };
  };
  const startProfanity = async () => {
    const prof = await Profanity.start(join(dir, 'profanity'));
    onCleanup(() => prof.stop());
    return prof;
  };
  /** The messages ferry stored in alice's chat with carol. */
  const chatWithCarol = (profile: Profile) => {
    const account = findAccountByJid(profile.db, alice);
    const conversation = account && findConversation(profile.db, account.uuid, carol);
    return conversation ? listMessages(profile.db, conversation.uuid) : [];
  };
  return { dir, server, alice, carol, openIn, startFerry, startProfanity, chatWithCarol };
}

test(
  'the profanity harness: plain messages both ways with a ferry account',
  { skip },
  async (t) => {
    const { server, alice, carol, openIn, startFerry, startProfanity, chatWithCarol } =
      await setup(t);
    const profile = openIn('alice');
    addAccount(profile.db, {
      jid: alice,
      password: 'pw-alice',
      ...server.accountOptions,
    });
    const ferry = await startFerry(profile, fast);

    const prof = await startProfanity();
    await prof.login({ jid: carol, password: 'pw-carol', port: server.port });
    await prof.type(`/msg ${alice}`);
    await prof.type('plain hello from profanity');
    await waitUntil(
      () => chatWithCarol(profile).some((m) => m.body === 'plain hello from profanity'),
      15_000,
      'ferry receiving profanity',
    );
    const [got] = chatWithCarol(profile);
    assert.equal(got?.status, MESSAGE_STATUS.received);
    assert.equal(got?.encryption, MESSAGE_ENCRYPTION.none);

    const sent = await ferry.engine.sendMessage(alice, carol, 'plain reply from ferry');
    assert.equal(sent.encryption, MESSAGE_ENCRYPTION.none);
    await prof.waitFor(lineFrom(alice, '-', 'plain reply from ferry'));
  },
);

test(
  'profanity and ferry exchange OMEMO messages both ways, before and after a ferry restore',
  { skip },
  async (t) => {
    const { dir, server, alice, carol, openIn, startFerry, startProfanity, chatWithCarol } =
      await setup(t);
    const omemo = (profile: Profile): EngineOptions => ({
      ...fast,
      crypto: new OmemoCrypto(profile.db),
    });
    /** ferry stored `body` from carol, decrypted (encryption 5, "OMEMO"). */
    const decrypted = (profile: Profile, body: string) => () =>
      chatWithCarol(profile).some(
        (m) =>
          m.body === body &&
          m.status === MESSAGE_STATUS.received &&
          m.encryption === MESSAGE_ENCRYPTION.omemo,
      );

    // Old device: ferry's account online, its device list and bundle published.
    const oldDevice = openIn('alice-old');
    addAccount(oldDevice.db, {
      jid: alice,
      password: 'pw-alice',
      ...server.accountOptions,
    });
    const old = await startFerry(oldDevice, omemo(oldDevice));
    const aliceFingerprint = displayFingerprint(
      (
        oldDevice.db.prepare('SELECT fingerprint FROM identities WHERE ownkey = 1').get() as {
          fingerprint: string;
        }
      ).fingerprint,
    ).replaceAll(' ', '-');

    // profanity: carol logs in, makes her OMEMO keys, trusts blindly, opens an encrypted chat
    // and waits until it has fetched alice's device (shows her fingerprint).
    await publishEmptyDeviceList(server, 'carol', 'pw-carol');
    const prof = await startProfanity();
    await prof.login({ jid: carol, password: 'pw-carol', port: server.port });
    await prof.generateOmemoKeys();
    await prof.type(`/msg ${alice}`);
    await prof.type(`/omemo start ${alice}`);
    await prof.askUntil(`/omemo fingerprint ${alice}`, new RegExp(aliceFingerprint));

    // profanity → ferry: decrypted by ferry.
    await prof.type('hello ferry, from profanity');
    await waitUntil(
      decrypted(oldDevice, 'hello ferry, from profanity'),
      15_000,
      'ferry decrypting',
    );
    // ferry → profanity: encrypted by default (carol has a device); profanity shows the text.
    const sent = await old.engine.sendMessage(alice, carol, 'hello profanity, from ferry');
    assert.equal(sent.encryption, MESSAGE_ENCRYPTION.omemo);
    await prof.waitFor(lineFrom(alice, '~', 'hello profanity, from ferry'));

    // The move: backup of the old device, imported into a new profile, account enabled there.
    await old.stop();
    const { written } = await createBackups(oldDevice, {
      outDir: join(dir, 'backups'),
      deactivate: true,
    });
    const backup = written[0];
    assert.ok(backup, 'a backup was written');
    // While alice is between devices, carol writes; the new device gets it from the archive.
    await prof.type('sent while you were moving');
    await prof.waitFor(/~ me: sent while you were moving/);
    const newDevice = openIn('alice-new');
    await importBackup(newDevice, backup.file, 'pw-alice');
    setAccountEnabled(newDevice.db, alice, true);
    const restored = await startFerry(newDevice, omemo(newDevice));
    assert.ok(
      chatWithCarol(newDevice).some((m) => m.body === 'hello ferry, from profanity'),
      'the history came along',
    );
    await waitUntil(
      decrypted(newDevice, 'sent while you were moving'),
      15_000,
      'the restored device decrypting what came meanwhile',
    );

    // The chat goes on with the restored keys, both ways, without any new trust or setup.
    await prof.type('still there after your move?');
    await waitUntil(
      decrypted(newDevice, 'still there after your move?'),
      15_000,
      'the restored device decrypting',
    );
    const reply = await restored.engine.sendMessage(alice, carol, 'yes, restored and encrypted');
    assert.equal(reply.encryption, MESSAGE_ENCRYPTION.omemo);
    const screen = await prof.waitFor(lineFrom(alice, '~', 'yes, restored and encrypted'));
    assert.ok(!screen.includes(FALLBACK_BODY.slice(0, 40)), 'profanity decrypted everything');
    // Nothing was lost or left undecryptable on the new device.
    const fromCarol = chatWithCarol(newDevice).filter((m) => m.status === MESSAGE_STATUS.received);
    assert.deepEqual(
      fromCarol.map((m) => [m.body, m.encryption]),
      [
        'hello ferry, from profanity',
        'sent while you were moving',
        'still there after your move?',
      ].map((body) => [body, MESSAGE_ENCRYPTION.omemo]),
    );
  },
);
