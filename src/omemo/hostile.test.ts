import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, type Element } from 'ltx';
import { importBackup } from '../migration/import-backup.js';
import { openProfile } from '../store/profile.js';
import { OmemoAccount } from './omemo-account.js';
import { ProfileSignalStore } from './profile-store.js';

const DIR = 'test-data/omemo';
const BOB = 'bob@example.org';
const read = (f: string) => readFileSync(join(DIR, 'stanzas', f), 'utf8');

async function restored(t: { after(fn: () => void): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-omemo-hostile-'));
  const profile = openProfile(dir);
  t.after(() => {
    profile.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await importBackup(profile, join(DIR, 'alice.v2.ceb'), 'alice-backup-password');
  const store = new ProfileSignalStore(
    profile.db,
    'd45f1e05-5cb6-4264-b8fc-61fff8bee39a',
    'alice@example.org',
  );
  return new OmemoAccount(store);
}

function tamper(xmlText: string, from: RegExp, to: string): Element {
  const changed = xmlText.replace(from, to);
  assert.notEqual(changed, xmlText, `pattern ${from} applies`);
  return parse(changed) as Element;
}

/** Flips one bit of the base64 text of the element `tag`. */
function flipIn(xmlText: string, tag: 'key' | 'payload', offset: number): Element {
  const re = new RegExp(`(<${tag}[^>]*>)([^<]+)(</${tag}>)`);
  const m = re.exec(xmlText);
  assert.ok(m?.[2]);
  const bytes = Buffer.from(m[2], 'base64');
  const at = offset < 0 ? bytes.length + offset : offset;
  bytes[at] = (bytes[at] ?? 0) ^ 0x01;
  return parse(xmlText.replace(re, `$1${bytes.toString('base64')}$3`)) as Element;
}

test('hostile stanzas are refused without throwing and never give plaintext', async (t) => {
  const account = await restored(t);
  const a1 = read('a1-bob-to-alice.xml');
  const before = JSON.stringify(account.store.loadSession({ name: BOB, deviceId: 1168132655 }));
  const cases: [string, Element, string][] = [
    [
      'bad base64 in the key',
      tamper(a1, /(<key rid='345823845'>)[^<]+/, '$1@@not*base64@@'),
      'undecryptable',
    ],
    ['iv of the wrong length', tamper(a1, /<iv>[^<]+<\/iv>/, '<iv>AAAA</iv>'), 'undecryptable'],
    [
      'truncated key',
      tamper(a1, /(<key rid='345823845'>)([^<]{12})[^<]+/, '$1$2'),
      'undecryptable',
    ],
    [
      'key only for another device',
      tamper(a1, /rid='345823845'/, "rid='12345'"),
      'not-encrypted-for-this-device',
    ],
    ['sid not a number', tamper(a1, /sid='1168132655'/, "sid='x1'"), 'undecryptable'],
    ['sid out of range', tamper(a1, /sid='1168132655'/, "sid='99999999999'"), 'undecryptable'],
    ['forged sender device', tamper(a1, /sid='1168132655'/, "sid='777'"), 'undecryptable'],
    ['MAC of the Signal message altered', flipIn(a1, 'key', -1), 'undecryptable'],
    [
      'prekey flag on a plain Signal message',
      tamper(a1, /rid='345823845'/, "rid='345823845' prekey='true'"),
      'undecryptable',
    ],
    ['no header', tamper(a1, /<header[\s\S]*<\/header>/, ''), 'undecryptable'],
  ];
  for (const [what, stanza, want] of cases) {
    const got = account.decrypt(stanza, BOB);
    assert.equal(got.outcome, want, what);
  }
  // a forged sender JID finds no session with that device
  assert.equal(
    account.decrypt(parse(a1) as Element, 'mallory@example.org').outcome,
    'undecryptable',
  );
  assert.equal(
    JSON.stringify(account.store.loadSession({ name: BOB, deviceId: 1168132655 })),
    before,
    'the session is unchanged by refused messages',
  );

  // The genuine message still decrypts; replaying it is refused as a duplicate (not a broken session).
  const first = account.decrypt(parse(a1) as Element, BOB);
  assert.equal(first.outcome === 'plaintext' && first.plaintext, 'Did the backup work?');
  const replay = account.decrypt(parse(a1) as Element, BOB);
  assert.equal(replay.outcome, 'undecryptable');
  assert.ok(
    replay.outcome === 'undecryptable' && replay.error.startsWith('DuplicateMessageException'),
  );
  assert.equal(replay.outcome === 'undecryptable' && replay.brokenSession, false);

  // A tampered payload authenticates with nothing: undecryptable, no text.
  const a2 = flipIn(read('a2-bob-to-alice.xml'), 'payload', 0);
  const tampered = account.decrypt(a2, BOB);
  assert.equal(tampered.outcome, 'undecryptable');
  assert.ok(!('plaintext' in tampered));
});
