import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, type Element } from 'ltx';
import { importBackup } from '../migration/import-backup.js';
import { openProfile, type Profile } from '../store/profile.js';
import { findConversation } from '../store/conversations.js';
import { findMessageByRemoteId } from '../store/messages.js';
import {
  readSessionColumn,
  decodeAndroidBase64,
  encodeAndroidBase64,
} from '../store/omemo-keys.js';
import { MemorySignalStore } from './memory-store.js';
import { OmemoAccount } from './omemo-account.js';
import { parseEncrypted, findEncrypted, decryptPayload } from './omemo-element.js';
import { ProfileSignalStore } from './profile-store.js';
import {
  IdentityKeyPairCodec,
  PreKeyRecordCodec,
  SessionRecordCodec,
  SignedPreKeyRecordCodec,
} from './records.js';
import { decryptSignalMessage, decryptPreKeySignalMessage } from './session-cipher.js';

const DIR = 'test-data/omemo';
interface Outcome {
  outcome: string;
  plaintext?: string;
  javaException?: string;
}
interface StanzaCase {
  file: string;
  from: string;
  id?: string;
  sid: number;
  keys: { rid: number; prekey: boolean }[];
  restored?: Outcome;
  restoredFromBackup?: Outcome;
  restoredFromBackupAlone?: Outcome;
  peerAfterQuiet?: Outcome;
  peerFromBackupMoment?: Outcome;
}
const expected = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as {
  owner: {
    jid: string;
    deviceId: number;
    backupPassword: string;
    accountUuid: string;
    fingerprint: string;
  };
  peer: { jid: string; deviceId: number; fingerprint: string };
  history: StanzaCase[];
  continuations: Record<'quietOldDevice' | 'oldDeviceKeptChatting', { stanzas: StanzaCase[] }>;
};
const bob = JSON.parse(readFileSync(join(DIR, 'bob-state.json'), 'utf8')) as {
  identityKeyPair: string;
  registrationId: number;
  session: { name: string; deviceId: number; record: string };
  sessionAfterQuietContinuation: { name: string; deviceId: number; record: string };
  signedPreKeyRecords: { id: number; record: string }[];
  preKeyRecords: { id: number; record: string }[];
};
const OWNER = expected.owner;
const BOB = { name: expected.peer.jid, deviceId: expected.peer.deviceId };
const ALICE = { name: OWNER.jid, deviceId: OWNER.deviceId };

function stanza(file: string): Element {
  return parse(readFileSync(join(DIR, file), 'utf8')) as Element;
}

const tempDirs: string[] = [];
test.after(() => {
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
});

async function restore(format: 'v1' | 'v2'): Promise<{ profile: Profile; account: OmemoAccount }> {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-omemo-'));
  tempDirs.push(dir);
  const profile = openProfile(dir);
  await importBackup(profile, join(DIR, `alice.${format}.ceb`), OWNER.backupPassword);
  const store = new ProfileSignalStore(profile.db, OWNER.accountUuid, OWNER.jid);
  return { profile, account: new OmemoAccount(store) };
}

/** What the restored client makes of a stanza: the outcome, and whether it is a known message. */
function receive(profile: Profile, account: OmemoAccount, c: StanzaCase) {
  const message = stanza(c.file);
  const sender = c.from.split('/')[0] ?? '';
  const result = account.decrypt(message, sender);
  const conversation = findConversation(profile.db, OWNER.accountUuid, BOB.name);
  const known =
    c.id !== undefined && conversation
      ? findMessageByRemoteId(profile.db, conversation.uuid, c.id, 'incoming', null, false)
      : undefined;
  return { result, known };
}

function assertOutcome(got: ReturnType<OmemoAccount['decrypt']>, want: Outcome, file: string) {
  assert.equal(got.outcome, want.outcome, file);
  if (want.outcome === 'plaintext') {
    assert.equal(got.outcome === 'plaintext' && got.plaintext, want.plaintext, file);
  }
  if (want.javaException && got.outcome === 'undecryptable') {
    assert.equal(got.error, want.javaException, file);
  }
}

function bobStore(sessionRecord: string): MemorySignalStore {
  const store = new MemorySignalStore(
    IdentityKeyPairCodec.decode(Buffer.from(bob.identityKeyPair, 'base64')),
    bob.registrationId,
  );
  store.sessions.set(`${ALICE.name}:${ALICE.deviceId}`, Buffer.from(sessionRecord, 'base64'));
  for (const r of bob.signedPreKeyRecords) {
    store.signedPreKeys.set(r.id, SignedPreKeyRecordCodec.decode(Buffer.from(r.record, 'base64')));
  }
  for (const r of bob.preKeyRecords) {
    store.preKeys.set(r.id, PreKeyRecordCodec.decode(Buffer.from(r.record, 'base64')));
  }
  return store;
}

/** Bob reads an OMEMO message from Alice's device with his Java state. */
function bobReads(store: MemorySignalStore, message: Element): string {
  const enc = parseEncrypted(findEncrypted(message) as Element);
  const key = enc.keys.find((k) => k.rid === BOB.deviceId);
  assert.ok(key, 'message carries a key for Bob');
  const material = key.preKey
    ? decryptPreKeySignalMessage(store, ALICE, key.data).plaintext
    : decryptSignalMessage(store, ALICE, key.data).plaintext;
  assert.ok(enc.payload);
  return decryptPayload(material, enc.iv, enc.payload);
}

test('every key record of the backup re-serialises to the same bytes and the same Android base64', () => {
  const rows = readFileSync(join(DIR, 'alice-rows.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { table: string; values: Record<string, unknown> });
  let checked = 0;
  for (const row of rows) {
    const text = row.values.key as string;
    const codec =
      row.table === 'sessions'
        ? SessionRecordCodec
        : row.table === 'prekeys'
          ? PreKeyRecordCodec
          : row.table === 'signed_prekeys'
            ? SignedPreKeyRecordCodec
            : row.table === 'identities' && row.values.ownkey === 1
              ? IdentityKeyPairCodec
              : undefined;
    if (!codec) continue;
    const bytes = decodeAndroidBase64(text);
    const again = (codec.encode as (v: unknown) => Buffer)(codec.decode(bytes));
    assert.deepEqual(again, bytes, `${row.table} record`);
    assert.equal(encodeAndroidBase64(again), text);
    for (const line of text.split('\n').slice(0, -1)) assert.ok(line.length <= 76);
    checked++;
  }
  assert.equal(checked, 103);
  for (const r of [bob.session, bob.sessionAfterQuietContinuation]) {
    const bytes = Buffer.from(r.record, 'base64');
    assert.deepEqual(SessionRecordCodec.encode(SessionRecordCodec.decode(bytes)), bytes);
  }
});

for (const format of ['v1', 'v2'] as const) {
  test(`${format}: the restored device keeps its device id and fingerprint`, async () => {
    const { profile, account } = await restore(format);
    assert.equal(account.deviceId, OWNER.deviceId);
    assert.equal(account.fingerprint, OWNER.fingerprint);
    const column = readSessionColumn(profile.db, OWNER.accountUuid, BOB.name, BOB.deviceId);
    assert.ok(column?.endsWith('\n'));
    profile.close();
  });

  test(`${format}: history delivered again is refused as duplicates and already stored`, async () => {
    const { profile, account } = await restore(format);
    const before = account.store.loadSession(BOB);
    for (const c of expected.history) {
      if (!c.restoredFromBackup) continue;
      const { result, known } = receive(profile, account, c);
      assertOutcome(result, c.restoredFromBackup, c.file);
      assert.ok(known, `${c.file} is recognised as the stored message`);
      assert.equal(known.body, c.restoredFromBackup && stanzaText(c));
    }
    assert.deepEqual(account.store.loadSession(BOB), before, 'session unchanged');
    profile.close();
  });

  test(`${format}: quiet old device — Bob's messages decrypt, the reply decrypts for Bob`, async () => {
    const { profile, account } = await restore(format);
    for (const c of expected.continuations.quietOldDevice.stanzas) {
      if (!c.restored) continue;
      const { result, known } = receive(profile, account, c);
      assertOutcome(result, c.restored, c.file);
      assert.equal(known, undefined);
      if (result.outcome === 'plaintext')
        assert.equal(result.fingerprint, expected.peer.fingerprint);
    }
    const reply = 'Restored in ferry — and I can read all three!';
    const { element } = account.encrypt(reply, [BOB]);
    const message = parse(`<message from='${OWNER.jid}/ferry' to='${BOB.name}'/>`) as Element;
    message.cnode(element);
    assert.equal(bobReads(bobStore(bob.sessionAfterQuietContinuation.record), message), reply);
    // The Java-encrypted reply of the fixture decrypts for Bob with this implementation too.
    for (const r of [bob.session, bob.sessionAfterQuietContinuation]) {
      assert.equal(
        bobReads(bobStore(r.record), stanza('stanzas/a4-alice-restored-to-bob.xml')),
        'Restored on the new phone — I can read all three!',
      );
    }
    profile.close();
  });

  test(`${format}: old device kept chatting — exactly b5 and b6 are unable to decrypt`, async () => {
    const { profile, account } = await restore(format);
    for (const c of expected.continuations.oldDeviceKeptChatting.stanzas) {
      if (!c.restored) continue;
      const { result } = receive(profile, account, c);
      assertOutcome(result, c.restored, c.file);
      if (c.restored.outcome === 'not-encrypted-for-this-device') {
        assert.equal(
          result.outcome === 'not-encrypted-for-this-device' && result.reflectedOwn,
          true,
        );
      }
      if (c.restored.outcome === 'undecryptable') {
        assert.equal(result.outcome === 'undecryptable' && result.brokenSession, true, c.file);
      }
    }
    profile.close();
  });
}

test('each post-backup message decrypts on its own from a fresh restore', async () => {
  const all = [
    ...expected.continuations.quietOldDevice.stanzas,
    ...expected.continuations.oldDeviceKeptChatting.stanzas,
  ];
  for (const c of all) {
    if (!c.restoredFromBackupAlone) continue;
    const { profile, account } = await restore('v2');
    const { result } = receive(profile, account, c);
    assertOutcome(result, c.restoredFromBackupAlone, c.file);
    profile.close();
  }
});

function stanzaText(c: StanzaCase): string | undefined {
  return (c as unknown as { sentPlaintext?: string }).sentPlaintext;
}
