/**
 * The OMEMO fixture (test-data/omemo: a Conversations backup made by libsignal-protocol-java, and
 * Bob's messages that came after it) exported to profanity with `ferry export --to profanity`:
 * the real profanity 0.13, logged in on that home, shows the history and decrypts Bob's next
 * messages on the backup's session — the stanzas whose expected outcome is plaintext.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { client, xml } from '@xmpp/client';
import { parse, type Element } from 'ltx';
import { runFerry } from '../../cli/testing/run-ferry.js';
import { Profanity, profanityAvailable } from '../../omemo/testing/profanity.js';
import { startProsody } from '../../xmpp/testing/prosody.js';
import { KeyFile } from './keyfile.js';
import { profanityPaths } from './layout.js';

const skip = !profanityAvailable() && 'profanity or tmux is not installed';
const DIR = 'test-data/omemo';

interface Outcome {
  outcome: string;
  plaintext?: string;
}
interface Continuation {
  file: string;
  from: string;
  sentPlaintext?: string;
  restored?: Outcome;
}
type Scenario = 'quietOldDevice' | 'oldDeviceKeptChatting';
const expected = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as {
  owner: { jid: string; deviceId: number; backupPassword: string; identityKey: string };
  peer: { jid: string; deviceId: number; resource: string };
  history: { sentPlaintext?: string; from: string }[];
  continuations: Record<Scenario, { stanzas: Continuation[] }>;
};

for (const scenario of ['quietOldDevice', 'oldDeviceKeptChatting'] as const) {
  test(
    `the OMEMO fixture exported to profanity (${scenario}): history shown, Bob's next messages decrypt as in Java`,
    { skip },
    (t) => continueInProfanity(t, scenario),
  );
}

async function continueInProfanity(t: TestContext, scenario: Scenario): Promise<void> {
  {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-fixprof-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const { owner, peer } = expected;
    const server = await startProsody({ domain: 'example.org' });
    t.after(() => server.stop());
    await server.register('alice', owner.backupPassword);
    await server.register('bob', 'pw-bob');

    const passwordFile = join(dir, 'password');
    writeFileSync(passwordFile, `${owner.backupPassword}\n`);
    const home = join(dir, 'home');
    const run = await runFerry([
      '--profile',
      join(dir, 'profile'),
      'export',
      join(DIR, 'alice.v2.ceb'),
      '--to',
      'profanity',
      '--out',
      home,
      '--password-file',
      passwordFile,
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Exported alice@example\.org for profanity/);
    assert.match(run.stdout, /OMEMO sessions: 1/);
    assert.match(run.stdout, /messages: 6/);
    assert.doesNotMatch(run.stdout + run.stderr, new RegExp(owner.backupPassword));

    const prof = await Profanity.start(join(dir, 'tmux'), { home });
    t.after(() => prof.stop());
    await prof.connectExisting(owner.jid, server.port);

    // The old history, from profanity's own chat log, when the chat is opened.
    await prof.type(`/msg ${peer.jid}`);
    const lastFromBob = expected.history
      .filter((h) => h.sentPlaintext && h.from.startsWith(peer.jid))
      .at(-1);
    const lastFromAlice = expected.history
      .filter((h) => h.sentPlaintext && h.from.startsWith(owner.jid))
      .at(-1);
    await prof.waitFor(new RegExp(escape(lastFromBob?.sentPlaintext ?? '?')));
    await prof.waitFor(new RegExp(escape(lastFromAlice?.sentPlaintext ?? '?')));

    // Bob's client sends the stanzas encrypted after the backup moment, as they are.
    const bob = client({
      service: server.service,
      domain: server.domain,
      username: 'bob',
      password: 'pw-bob',
      resource: peer.resource,
    });
    bob.on('error', () => {});
    bob.reconnect.stop();
    await bob.start();
    t.after(() => bob.stop());
    // In the fixture's order; what the restored Java device could not decrypt must not show either.
    const fromBob = expected.continuations[scenario].stanzas.filter((c) =>
      c.from.startsWith(peer.jid),
    );
    assert.ok(
      fromBob.some((c) => c.restored?.outcome === 'plaintext'),
      'Bob wrote after the backup',
    );
    for (const c of fromBob) {
      const stanza = parse(readFileSync(join(DIR, c.file), 'utf8')) as Element;
      delete stanza.attrs.from;
      await bob.send(stanza);
      if (c.restored?.outcome === 'plaintext') {
        await prof.waitFor(
          new RegExp(
            `~ ${escape(peer.jid)}/${escape(peer.resource)}: ${escape(c.restored.plaintext ?? '?')}`,
          ),
        );
      }
    }
    // A plain message after them: once it shows, profanity has handled everything before it.
    await bob.send(
      xml('message', { to: owner.jid, type: 'chat' }, xml('body', {}, 'plain: end of test')),
    );
    const screen = await prof.waitFor(/- bob@example\.org\/phone: plain: end of test/);
    for (const c of fromBob) {
      if (c.restored?.outcome !== 'plaintext' && c.sentPlaintext) {
        assert.ok(!screen.includes(c.sentPlaintext), `${c.file} must not decrypt`);
      }
    }

    // profanity kept the backup's identity: same device id and key in its identity file.
    const identity = KeyFile.parse(
      readFileSync(join(profanityPaths.omemoDir(home, owner.jid), 'identity.txt'), 'utf8'),
    );
    assert.equal(identity.get('identity', 'device_id'), String(owner.deviceId));
    assert.equal(identity.get('identity', 'identity_key_public'), owner.identityKey);
  }
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
