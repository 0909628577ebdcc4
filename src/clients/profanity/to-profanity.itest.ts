/**
 * From ferry (Conversations' data model) to the real profanity 0.13 and on: a ferry account with
 * an OMEMO session and history is exported with `ferry export --account JID --to profanity`;
 * profanity, started on that home, shows the history, decrypts the contact's next message on the
 * existing session, and its reply decrypts at the contact — who sees no new session and no
 * prekey message; the account's device list and published identity key stay as they were.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFerry } from '../../cli/testing/run-ferry.js';
import { displayFingerprint } from '../../omemo/fingerprint.js';
import { Profanity, profanityAvailable } from '../../omemo/testing/profanity.js';
import { findAccountByJid, isAccountEnabled } from '../../store/accounts.js';
import { MESSAGE_ENCRYPTION, MESSAGE_STATUS } from '../../store/messages.js';
import { readOwnIdentity } from '../../store/omemo-keys.js';
import { startProsody } from '../../xmpp/testing/prosody.js';
import { waitUntil } from '../../xmpp/testing/contact.js';
import {
  chatMessages,
  cleanupAfter,
  ferryPeer,
  isPreKeyMessage,
  publishedOmemo,
  sessionId,
} from '../testing/omemo-peers.js';

const skip = !profanityAvailable() && 'profanity or tmux is not installed';

function literal(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

test(
  'ferry → profanity: history shown, OMEMO goes on on the same session both ways',
  { skip },
  async (t) => {
    const onCleanup = cleanupAfter(t);
    const dir = mkdtempSync(join(tmpdir(), 'ferry-toprof-'));
    onCleanup(() => rmSync(dir, { recursive: true, force: true }));
    const server = await startProsody();
    onCleanup(() => server.stop());
    await server.register('alice', 'pw-alice');
    await server.register('carol', 'pw-carol');
    await server.register('dave', 'pw-dave');
    const alice = `alice@${server.domain}`;
    const carol = `carol@${server.domain}`;

    // Alice (the account that moves) and Carol (her contact) chat with OMEMO on ferry.
    const a = await ferryPeer(server, join(dir, 'alice'), alice, 'pw-alice', onCleanup);
    const c = await ferryPeer(server, join(dir, 'carol'), carol, 'pw-carol', onCleanup);
    const decryptedAt = (peer: typeof a, owner: string, from: string, body: string) => () =>
      chatMessages(peer.profile, owner, from).some(
        (m) =>
          m.body === body &&
          m.status === MESSAGE_STATUS.received &&
          m.encryption === MESSAGE_ENCRYPTION.omemo,
      );
    const first = await a.engine.sendMessage(alice, carol, 'hello Carol, this is Alice on ferry');
    assert.equal(first.encryption, MESSAGE_ENCRYPTION.omemo);
    await waitUntil(decryptedAt(c, carol, alice, first.body ?? ''), 15_000, 'carol decrypting');
    const answer = await c.engine.sendMessage(carol, alice, 'hi Alice, Carol here');
    await waitUntil(decryptedAt(a, alice, carol, answer.body ?? ''), 15_000, 'alice decrypting');
    await a.stop();

    const aliceDevice = Number(
      JSON.parse(findAccountByJid(a.profile.db, alice)?.keys ?? '{}').axolotl_reg_id,
    );
    const ownKey = readOwnIdentity(a.profile.db, findAccountByJid(a.profile.db, alice)?.uuid ?? '');
    assert.ok(aliceDevice > 0 && ownKey, 'alice has OMEMO keys');
    const publishedBefore = await publishedOmemo(server, 'dave', 'pw-dave', alice);
    assert.deepEqual(publishedBefore.devices, [aliceDevice]);
    const carolsSession = sessionId(c.profile, carol, alice, aliceDevice);
    assert.ok(carolsSession, 'carol has a session with alice');
    const carolEventsBefore = c.events.length;
    const carolStanzasBefore = c.stanzas.length;

    // The account is enabled in the profile: ferry refuses to make a clone, and writes nothing.
    const home = join(dir, 'home');
    const args = [
      '--profile',
      join(dir, 'alice'),
      'export',
      '--account',
      alice,
      '--to',
      'profanity',
      '--out',
      home,
    ];
    const refused = await runFerry(args);
    assert.equal(refused.code, 7, refused.stderr);
    assert.match(refused.stderr, /is enabled in this profile.*would run the account twice/);
    assert.match(refused.stderr, /--deactivate/);
    assert.equal(existsSync(home), false, 'nothing written');

    const moved = await runFerry([...args, '--deactivate']);
    assert.equal(moved.code, 0, moved.stderr);
    assert.match(moved.stdout, /OMEMO sessions: 1/);
    assert.match(moved.stdout, /now disabled in this profile/);
    assert.doesNotMatch(moved.stdout, /pw-alice/);
    const row = findAccountByJid(a.profile.db, alice);
    assert.ok(row && !isAccountEnabled(row), 'the account is disabled in the profile');

    // The real profanity on that home.
    const prof = await Profanity.start(join(dir, 'tmux'), { home });
    onCleanup(() => prof.stop());
    await prof.connectExisting(alice, server.port);
    await prof.type(`/msg ${carol}`);
    // The history, from profanity's chat log.
    await prof.waitFor(new RegExp(`${literal(carol)}: hi Alice, Carol here`));
    await prof.waitFor(/me: hello Carol, this is Alice on ferry/);
    // Ready to encrypt to Carol once it has her device list (it shows her fingerprint).
    const carolFingerprint = displayFingerprint(
      readOwnIdentity(c.profile.db, findAccountByJid(c.profile.db, carol)?.uuid ?? '')
        ?.fingerprint ?? '',
    ).replaceAll(' ', '-');
    await prof.askUntil(`/omemo fingerprint ${carol}`, new RegExp(carolFingerprint));

    // Carol's next message decrypts in profanity, on the session Carol had with ferry's Alice.
    const next = await c.engine.sendMessage(carol, alice, 'are you on profanity now?');
    assert.equal(next.encryption, MESSAGE_ENCRYPTION.omemo);
    await prof.waitFor(new RegExp(`~ ${literal(carol)}/\\S+: are you on profanity now\\?`));

    // profanity's reply decrypts at Carol: an ordinary message on the same session.
    await prof.type('yes, same keys, new client');
    await waitUntil(
      decryptedAt(c, carol, alice, 'yes, same keys, new client'),
      15_000,
      'carol decrypting profanity',
    );
    const fromProfanity = c.stanzas
      .slice(carolStanzasBefore)
      .filter(
        (s) =>
          s.is('message') &&
          String(s.attrs.from ?? '').startsWith(`${alice}/`) &&
          s.getChild('encrypted'),
      );
    assert.ok(fromProfanity.length > 0, 'carol got an OMEMO message from profanity');
    assert.equal(fromProfanity.filter(isPreKeyMessage).length, 0, 'no prekey message');
    assert.deepEqual(
      c.events
        .slice(carolEventsBefore)
        .filter((e) => e.kind === 'session-built' || e.kind === 'healed'),
      [],
      'no new session at carol',
    );
    assert.equal(
      sessionId(c.profile, carol, alice, aliceDevice),
      carolsSession,
      'the same session',
    );

    // Alice's device list and published identity key did not change.
    const publishedAfter = await publishedOmemo(server, 'dave', 'pw-dave', alice);
    assert.deepEqual(publishedAfter, publishedBefore);
  },
);
