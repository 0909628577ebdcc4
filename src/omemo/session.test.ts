import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  KeyHelper,
  SessionBuilder,
  SessionCipher,
  SignalProtocolAddress,
  type Direction,
  type KeyPairType,
  type StorageType,
} from '@privacyresearch/libsignal-protocol-typescript';
import { addAccount } from '../store/accounts.js';
import { openProfile } from '../store/profile.js';
import { readAccountKeys } from '../store/omemo-keys.js';
import { bundleElement, parseBundle } from './bundle.js';
import { ProfileSignalStore } from './profile-store.js';
import { processPreKeyBundle } from './session-builder.js';
import { decryptPreKeySignalMessage, decryptSignalMessage, encryptFor } from './session-cipher.js';

function account(t: { after(fn: () => void): void }, jid: string): ProfileSignalStore {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-omemo-session-'));
  const profile = openProfile(dir);
  t.after(() => {
    profile.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const row = addAccount(profile.db, { jid, password: 'pw' });
  return new ProfileSignalStore(profile.db, row.uuid, jid);
}

test('two fresh ferry accounts: keys, bundle, X3DH, prekey consumed and refilled, replies', async (t) => {
  const alice = account(t, 'alice@example.org');
  const bob = account(t, 'bob@example.org');
  await alice.generateKeys();
  await bob.generateKeys();
  assert.equal(bob.listPreKeys().length, 100);
  assert.equal(readAccountKeys(bob.db, bob.accountUuid).axolotl_cur_prekey_id, '100');
  const key = (bob.db.prepare('SELECT key FROM signed_prekeys').get() as { key: string }).key;
  assert.match(key, /^([A-Za-z0-9+/]{76}\n)*[A-Za-z0-9+/=]{1,76}\n$/, 'Android Base64.DEFAULT');

  const bobAddr = { name: 'bob@example.org', deviceId: bob.getLocalRegistrationId() };
  const aliceAddr = { name: 'alice@example.org', deviceId: alice.getLocalRegistrationId() };
  const bundle = parseBundle(bundleElement(bob), bobAddr.deviceId);
  await processPreKeyBundle(alice, bobAddr, bundle);
  const first = encryptFor(alice, bobAddr, Buffer.from('hello bob'));
  assert.equal(first.preKey, true);
  const got = decryptPreKeySignalMessage(bob, aliceAddr, first.body);
  assert.equal(got.plaintext.toString(), 'hello bob');
  assert.equal(got.usedPreKeyId, bundle.preKeyId);
  assert.equal(bob.loadPreKey(bundle.preKeyId ?? -1), undefined, 'the used prekey is gone');
  assert.deepEqual(bob.refillPreKeys(), [101]);

  // The same prekey message again is a duplicate, not a new session.
  assert.throws(() => decryptPreKeySignalMessage(bob, aliceAddr, first.body), /old counter/);
  const second = encryptFor(alice, bobAddr, Buffer.from('still prekey until bob answers'));
  assert.equal(second.preKey, true);
  assert.equal(
    decryptPreKeySignalMessage(bob, aliceAddr, second.body).plaintext.toString(),
    'still prekey until bob answers',
  );
  const reply = encryptFor(bob, aliceAddr, Buffer.from('hi alice'));
  assert.equal(reply.preKey, false);
  assert.equal(decryptSignalMessage(alice, bobAddr, reply.body).plaintext.toString(), 'hi alice');
  const third = encryptFor(alice, bobAddr, Buffer.from('now a plain SignalMessage'));
  assert.equal(third.preKey, false);
  // Out of order: a later message first, then the skipped one (stored message keys).
  const m1 = encryptFor(bob, aliceAddr, Buffer.from('one'));
  const m2 = encryptFor(bob, aliceAddr, Buffer.from('two'));
  assert.equal(decryptSignalMessage(alice, bobAddr, m2.body).plaintext.toString(), 'two');
  assert.equal(decryptSignalMessage(alice, bobAddr, m1.body).plaintext.toString(), 'one');
  assert.equal(
    decryptSignalMessage(bob, aliceAddr, third.body).plaintext.toString(),
    'now a plain SignalMessage',
  );
  assert.equal(bob.trustOf('alice@example.org', alice.ownIdentityKey()), 'TRUSTED', 'blind trust');
});

/** A Signal store for the independent TypeScript implementation. */
class TsStore implements StorageType {
  sessions = new Map<string, string>();
  preKeys = new Map<string, KeyPairType>();
  signed = new Map<string, KeyPairType>();
  constructor(
    private identity: KeyPairType,
    private registrationId: number,
  ) {}
  getIdentityKeyPair = async () => this.identity;
  getLocalRegistrationId = async () => this.registrationId;
  isTrustedIdentity = async (_i: string, _k: ArrayBuffer, _d: Direction) => true;
  saveIdentity = async () => true;
  loadPreKey = async (id: string | number) => this.preKeys.get(String(id));
  storePreKey = async (id: string | number, kp: KeyPairType) =>
    void this.preKeys.set(String(id), kp);
  removePreKey = async (id: string | number) => void this.preKeys.delete(String(id));
  storeSession = async (a: string, r: string) => void this.sessions.set(a, r);
  loadSession = async (a: string) => this.sessions.get(a);
  loadSignedPreKey = async (id: string | number) => this.signed.get(String(id));
  storeSignedPreKey = async (id: string | number, kp: KeyPairType) =>
    void this.signed.set(String(id), kp);
  removeSignedPreKey = async (id: string | number) => void this.signed.delete(String(id));
}

const buf = (a: ArrayBuffer) => Buffer.from(a);
const binary = (s: string | undefined) => Buffer.from(s ?? '', 'latin1');

test('interoperates both ways with @privacyresearch/libsignal-protocol-typescript', async (t) => {
  const ferry = account(t, 'alice@example.org');
  await ferry.generateKeys();
  const ferryAddr = { name: 'alice@example.org', deviceId: ferry.getLocalRegistrationId() };

  const identity = await KeyHelper.generateIdentityKeyPair();
  const regId = KeyHelper.generateRegistrationId();
  const signed = await KeyHelper.generateSignedPreKey(identity, 7);
  const pre = await KeyHelper.generatePreKey(31);
  const ts = new TsStore(identity, regId);
  ts.signed.set('7', signed.keyPair);
  ts.preKeys.set('31', pre.keyPair);
  const tsAddr = { name: 'bob@example.org', deviceId: regId };

  // ferry starts the session from the TypeScript library's bundle.
  await processPreKeyBundle(ferry, tsAddr, {
    registrationId: regId,
    deviceId: regId,
    preKeyId: 31,
    preKeyPublic: buf(pre.keyPair.pubKey),
    signedPreKeyId: 7,
    signedPreKeyPublic: buf(signed.keyPair.pubKey),
    signedPreKeySignature: buf(signed.signature),
    identityKey: buf(identity.pubKey),
  });
  const fromFerry = encryptFor(ferry, tsAddr, Buffer.from('from ferry'));
  const tsCipher = new SessionCipher(
    ts,
    new SignalProtocolAddress(ferryAddr.name, ferryAddr.deviceId),
  );
  const plain = await tsCipher.decryptPreKeyWhisperMessage(
    fromFerry.body.buffer.slice(
      fromFerry.body.byteOffset,
      fromFerry.body.byteOffset + fromFerry.body.length,
    ) as ArrayBuffer,
  );
  assert.equal(buf(plain).toString(), 'from ferry');
  const back = await tsCipher.encrypt(
    new TextEncoder().encode('from typescript').buffer as ArrayBuffer,
  );
  assert.equal(back.type, 1);
  assert.equal(
    decryptSignalMessage(ferry, tsAddr, binary(back.body)).plaintext.toString(),
    'from typescript',
  );

  // The TypeScript library starts a session from ferry's bundle.
  const ts2 = new TsStore(
    await KeyHelper.generateIdentityKeyPair(),
    KeyHelper.generateRegistrationId(),
  );
  const carol = { name: 'carol@example.org', deviceId: await ts2.getLocalRegistrationId() };
  const bundle = parseBundle(bundleElement(ferry), ferryAddr.deviceId);
  const toArrayBuffer = (b: Buffer) =>
    b.buffer.slice(b.byteOffset, b.byteOffset + b.length) as ArrayBuffer;
  await new SessionBuilder(
    ts2,
    new SignalProtocolAddress(ferryAddr.name, ferryAddr.deviceId),
  ).processPreKey({
    registrationId: ferryAddr.deviceId,
    identityKey: toArrayBuffer(bundle.identityKey),
    signedPreKey: {
      keyId: bundle.signedPreKeyId,
      publicKey: toArrayBuffer(bundle.signedPreKeyPublic),
      signature: toArrayBuffer(bundle.signedPreKeySignature),
    },
    preKey: {
      keyId: bundle.preKeyId ?? 0,
      publicKey: toArrayBuffer(bundle.preKeyPublic ?? Buffer.alloc(0)),
    },
  });
  const carolCipher = new SessionCipher(
    ts2,
    new SignalProtocolAddress(ferryAddr.name, ferryAddr.deviceId),
  );
  const hello = await carolCipher.encrypt(
    new TextEncoder().encode('hello from carol').buffer as ArrayBuffer,
  );
  assert.equal(hello.type, 3);
  const opened = decryptPreKeySignalMessage(ferry, carol, binary(hello.body));
  assert.equal(opened.plaintext.toString(), 'hello from carol');
  const answer = encryptFor(ferry, carol, Buffer.from('hi carol'));
  assert.equal(
    buf(await carolCipher.decryptWhisperMessage(toArrayBuffer(answer.body))).toString(),
    'hi carol',
  );
});
