import { randomInt } from 'node:crypto';
import { xml } from '@xmpp/client';
import type { Element } from '../xmpp/crypto-hook.js';
import { MalformedOmemoError, OMEMO_NS, parseDeviceId, strictBase64 } from './omemo-element.js';
import type { ProfileSignalStore } from './profile-store.js';
import type { PreKeyBundle } from './session-builder.js';

/**
 * The device list (`<list><device id/></list>`) and bundle (`<bundle>` with signed prekey,
 * signature, identity key and prekeys) that Conversations publishes over PEP.
 */

export function deviceListElement(ids: number[]): Element {
  return xml('list', { xmlns: OMEMO_NS }, ...ids.map((id) => xml('device', { id: String(id) })));
}

/** Device ids of a `<list/>`; malformed entries are skipped. */
export function parseDeviceList(list: Element | undefined | null): number[] {
  if (!list) return [];
  const ids: number[] = [];
  for (const d of list.getChildren('device')) {
    try {
      const id = parseDeviceId(d.attrs.id as string | undefined, 'device id');
      if (!ids.includes(id)) ids.push(id);
    } catch {
      // skip
    }
  }
  return ids;
}

function b64(bytes: Uint8Array | undefined): string {
  return Buffer.from(bytes ?? []).toString('base64');
}

/** The account's bundle, from its stored records. */
export function bundleElement(store: ProfileSignalStore): Element {
  const signed = store.currentSignedPreKey();
  if (!signed?.publicKey || !signed.signature) throw new Error('no signed prekey to publish');
  return xml(
    'bundle',
    { xmlns: OMEMO_NS },
    xml('signedPreKeyPublic', { signedPreKeyId: String(signed.id ?? 0) }, b64(signed.publicKey)),
    xml('signedPreKeySignature', {}, b64(signed.signature)),
    xml('identityKey', {}, b64(store.ownIdentityKey())),
    xml(
      'prekeys',
      {},
      ...store
        .listPreKeys()
        .map((p) => xml('preKeyPublic', { preKeyId: String(p.id ?? 0) }, b64(p.publicKey))),
    ),
  );
}

function key33(text: string | null, what: string): Buffer {
  if (text === null) throw new MalformedOmemoError(`bundle without ${what}`);
  const key = strictBase64(text, what);
  if (key.length !== 33 || key[0] !== 0x05)
    throw new MalformedOmemoError(`${what} has a wrong length`);
  return key;
}

/**
 * A session-ready bundle for `deviceId`, with one of its prekeys picked at random (as Conversations).
 */
export function parseBundle(bundle: Element, deviceId: number): PreKeyBundle {
  const spk = bundle.getChild('signedPreKeyPublic');
  if (!spk) throw new MalformedOmemoError('bundle without signed prekey');
  const signedPreKeyId = Number(spk.attrs.signedPreKeyId);
  if (!Number.isInteger(signedPreKeyId) || signedPreKeyId < 0) {
    throw new MalformedOmemoError('bad signed prekey id');
  }
  const sigText = bundle.getChildText('signedPreKeySignature');
  if (sigText === null) throw new MalformedOmemoError('bundle without signature');
  const signature = strictBase64(sigText, 'signature');
  if (signature.length !== 64) throw new MalformedOmemoError('signature has a wrong length');
  const preKeys: { id: number; key: Buffer }[] = [];
  for (const p of bundle.getChild('prekeys')?.getChildren('preKeyPublic') ?? []) {
    const id = Number(p.attrs.preKeyId);
    try {
      if (Number.isInteger(id) && id >= 0) preKeys.push({ id, key: key33(p.getText(), 'prekey') });
    } catch {
      // skip a malformed prekey
    }
  }
  if (preKeys.length === 0) throw new MalformedOmemoError('bundle without prekeys');
  const chosen = preKeys[randomInt(preKeys.length)];
  return {
    registrationId: deviceId,
    deviceId,
    signedPreKeyId,
    signedPreKeyPublic: key33(spk.getText(), 'signed prekey'),
    signedPreKeySignature: signature,
    identityKey: key33(bundle.getChildText('identityKey'), 'identity key'),
    ...(chosen ? { preKeyId: chosen.id, preKeyPublic: chosen.key } : {}),
  };
}
