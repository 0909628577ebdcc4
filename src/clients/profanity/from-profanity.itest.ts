/**
 * From the real profanity 0.13 to ferry and Conversations: a profanity home made by running
 * profanity (account, a chat, OMEMO with a ferry contact) is imported with
 * `ferry backup import --from profanity HOME`, backed up with `ferry backup create`, and the
 * backup imported into a fresh profile — which keeps the history and decrypts the contact's next
 * OMEMO message on the existing session, and whose reply the contact decrypts without a new
 * session. When Java is there, Conversations' reference importer takes the backup too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFerry } from '../../cli/testing/run-ferry.js';
import { importBackup } from '../../migration/import-backup.js';
import {
  Profanity,
  profanityAvailable,
  publishEmptyDeviceList,
} from '../../omemo/testing/profanity.js';
import { findAccountByJid, isAccountEnabled, setAccountEnabled } from '../../store/accounts.js';
import { MESSAGE_ENCRYPTION, MESSAGE_STATUS } from '../../store/messages.js';
import { readOwnIdentity } from '../../store/omemo-keys.js';
import { openProfile } from '../../store/profile.js';
import { displayFingerprint } from '../../omemo/fingerprint.js';
import { startProsody } from '../../xmpp/testing/prosody.js';
import { waitUntil } from '../../xmpp/testing/contact.js';
import { KeyFile } from './keyfile.js';
import { profanityPaths } from './layout.js';
import {
  allowPlaintextLoopback,
  chatMessages,
  cleanupAfter,
  ferryPeer,
  isPreKeyMessage,
  sessionId,
} from '../testing/omemo-peers.js';
import { conversationsReference, REFERENCE_MISSING } from '../../testing/conversations-ref.js';

const skip = !profanityAvailable() && 'profanity or tmux is not installed';

const CEB_REF = conversationsReference();

test(
  'profanity → ferry → Conversations backup: history kept, OMEMO goes on on the same session',
  { skip },
  async (t) => {
    const onCleanup = cleanupAfter(t);
    const dir = mkdtempSync(join(tmpdir(), 'ferry-fromprof-'));
    onCleanup(() => rmSync(dir, { recursive: true, force: true }));
    const server = await startProsody();
    onCleanup(() => server.stop());
    await server.register('pat', 'pw-pat');
    await server.register('alice', 'pw-alice');
    const pat = `pat@${server.domain}`;
    const alice = `alice@${server.domain}`;

    // Alice is a ferry contact with OMEMO; Pat uses the real profanity.
    const a = await ferryPeer(server, join(dir, 'alice'), alice, 'pw-alice', onCleanup);
    const aliceFingerprint = displayFingerprint(
      readOwnIdentity(a.profile.db, findAccountByJid(a.profile.db, alice)?.uuid ?? '')
        ?.fingerprint ?? '',
    ).replaceAll(' ', '-');
    await publishEmptyDeviceList(server, 'pat', 'pw-pat');
    const home = join(dir, 'pat-home');
    const prof = await Profanity.start(join(dir, 'tmux'), { home });
    onCleanup(() => prof.stop());
    await prof.login({ jid: pat, password: 'pw-pat', port: server.port });
    await prof.generateOmemoKeys();
    await prof.type(`/msg ${alice}`);
    await prof.type(`/omemo start ${alice}`);
    await prof.askUntil(`/omemo fingerprint ${alice}`, new RegExp(aliceFingerprint));
    await prof.type('hello Alice, Pat on profanity');
    const decryptedAt =
      (owner: string, from: string, body: string, profile = a.profile) =>
      () =>
        chatMessages(profile, owner, from).some(
          (m) =>
            m.body === body &&
            m.status === MESSAGE_STATUS.received &&
            m.encryption === MESSAGE_ENCRYPTION.omemo,
        );
    await waitUntil(
      decryptedAt(alice, pat, 'hello Alice, Pat on profanity'),
      15_000,
      'alice decrypting',
    );
    await a.engine.sendMessage(alice, pat, 'hi Pat, Alice on ferry');
    await prof.waitFor(/~ alice@\S+: hi Pat, Alice on ferry/);
    await prof.stop(); // profanity's files stay in `home`
    const patDevice = Number(
      KeyFile.parse(
        readFileSync(join(profanityPaths.omemoDir(home, pat), 'identity.txt'), 'utf8'),
      ).get('identity', 'device_id'),
    );
    const aliceSession = sessionId(a.profile, alice, pat, patDevice);
    assert.ok(aliceSession, 'alice has a session with profanity');

    // Into a ferry profile, all or nothing, the account disabled.
    const p1 = join(dir, 'p1');
    const imported = await runFerry([
      '--profile',
      p1,
      'backup',
      'import',
      '--from',
      'profanity',
      home,
    ]);
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, new RegExp(`Imported ${pat} from profanity`));
    assert.match(imported.stdout, /messages: 2/);
    // Every session profanity kept (its session with Alice among them), however many it made.
    const kept = KeyFile.parse(
      readFileSync(join(profanityPaths.omemoDir(home, pat), 'sessions.txt'), 'utf8'),
    );
    assert.ok(kept.keys(alice).length > 0, 'profanity kept its session with alice');
    const sessions = kept.groups().reduce((n, jid) => n + kept.keys(jid).length, 0);
    assert.match(imported.stdout, new RegExp(`OMEMO sessions: ${sessions}\\n`));
    assert.match(imported.stdout, /trusted OMEMO devices: 1/);
    assert.match(imported.stdout, /The account is disabled/);
    assert.doesNotMatch(imported.stdout, /pw-pat/);
    // Again: the account is there now, and nothing changes.
    const again = await runFerry([
      '--profile',
      p1,
      'backup',
      'import',
      '--from',
      'profanity',
      home,
    ]);
    assert.equal(again.code, 7, again.stderr);
    assert.match(again.stderr, /already exists on this device/);

    // A Conversations backup of it.
    const backups = join(dir, 'backups');
    const made = await runFerry(['--profile', p1, 'backup', 'create', '--out', backups]);
    assert.equal(made.code, 0, made.stderr);
    const ceb = readdirSync(backups).find((f) => f.endsWith('.ceb'));
    assert.ok(ceb, 'a .ceb was written');
    const cebPath = join(backups, ceb);

    if (CEB_REF === undefined) t.diagnostic(REFERENCE_MISSING);
    else {
      // Conversations' importer (reference re-implementation) takes it, history and keys included.
      const refDb = join(dir, 'conversations.db');
      const pwFile = join(dir, 'pw');
      writeFileSync(pwFile, 'pw-pat\n');
      execFileSync(CEB_REF, [
        'import',
        '--ceb',
        cebPath,
        '--password-file',
        pwFile,
        '--db',
        refDb,
        '--strict',
      ]);
      const dump = execFileSync(CEB_REF, ['dump', '--db', refDb], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { table: string; values: Record<string, unknown> });
      const bodies = dump.filter((r) => r.table === 'messages').map((r) => r.values.body);
      assert.deepEqual(
        bodies.sort(),
        ['hello Alice, Pat on profanity', 'hi Pat, Alice on ferry'].sort(),
      );
      const account = dump.find((r) => r.table === 'accounts');
      assert.equal(JSON.parse(String(account?.values.keys)).axolotl_reg_id, String(patDevice));
      assert.equal(dump.filter((r) => r.table === 'sessions').length, 1);
    }

    // A fresh profile restores the backup and goes on chatting on the same session.
    const p2 = openProfile(join(dir, 'p2'));
    onCleanup(() => p2.close());
    await importBackup(p2, cebPath, 'pw-pat');
    const restored = findAccountByJid(p2.db, pat);
    assert.ok(restored && !isAccountEnabled(restored));
    assert.deepEqual(
      chatMessages(p2, pat, alice).map((m) => [m.body, m.status === MESSAGE_STATUS.received]),
      [
        ['hello Alice, Pat on profanity', false],
        ['hi Pat, Alice on ferry', true],
      ],
    );
    setAccountEnabled(p2.db, pat, true);
    p2.db
      .prepare('UPDATE accounts SET hostname = ?, port = ? WHERE uuid = ?')
      .run('127.0.0.1', server.port, restored.uuid);
    allowPlaintextLoopback(p2, restored.uuid);
    p2.close();
    const eventsBefore = a.events.length;
    const stanzasBefore = a.stanzas.length;
    const p = await ferryPeer(server, join(dir, 'p2'), pat, 'pw-pat', onCleanup, { add: false });
    const next = await a.engine.sendMessage(alice, pat, 'did you move off profanity?');
    assert.equal(next.encryption, MESSAGE_ENCRYPTION.omemo);
    await waitUntil(
      decryptedAt(pat, alice, 'did you move off profanity?', p.profile),
      15_000,
      'ferry decrypting',
    );
    const reply = await p.engine.sendMessage(pat, alice, 'yes, same device, now on ferry');
    assert.equal(reply.encryption, MESSAGE_ENCRYPTION.omemo);
    await waitUntil(
      decryptedAt(alice, pat, 'yes, same device, now on ferry'),
      15_000,
      'alice decrypting the reply',
    );
    const fromPat = a.stanzas
      .slice(stanzasBefore)
      .filter(
        (s) =>
          s.is('message') &&
          String(s.attrs.from ?? '').startsWith(`${pat}/`) &&
          s.getChild('encrypted'),
      );
    assert.ok(fromPat.length > 0);
    assert.equal(fromPat.filter(isPreKeyMessage).length, 0, 'no prekey message');
    assert.deepEqual(
      a.events.slice(eventsBefore).filter((e) => e.kind === 'session-built' || e.kind === 'healed'),
      [],
      'no new session at alice',
    );
    assert.equal(sessionId(a.profile, alice, pat, patDevice), aliceSession, 'the same session');
  },
);
