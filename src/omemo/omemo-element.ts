import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { xml } from '@xmpp/client';
import type { Element } from 'ltx';
import { MalformedOmemoError } from './errors.js';

/**
 * The OMEMO message element of XEP-0384 version 0.3 as Conversations speaks it:
 * `<encrypted xmlns='eu.siacs.conversations.axolotl'><header sid='…'><key rid='…' [prekey='true']>…
 * </key><iv>…</iv></header><payload>…</payload></encrypted>`.
 * The payload is AES-128-GCM without its tag; each key carries (through Signal) the 16-byte AES key
 * followed by the 16-byte tag. A message without payload is a key transport message.
 */
export const OMEMO_NS = 'eu.siacs.conversations.axolotl';
export const DEVICELIST_NODE = `${OMEMO_NS}.devicelist`;
export const BUNDLES_NODE_PREFIX = `${OMEMO_NS}.bundles:`;
/** Fallback body Conversations puts next to an OMEMO message. */
export const FALLBACK_BODY =
  'I sent you an OMEMO encrypted message but your client doesn’t seem to support that. Find more information on https://conversations.im/omemo';

export { MalformedOmemoError };

export interface OmemoKeyElement {
  rid: number;
  preKey: boolean;
  data: Buffer;
}

export interface OmemoEncrypted {
  sid: number;
  keys: OmemoKeyElement[];
  iv: Buffer;
  /** Absent for a key transport message. */
  payload?: Buffer;
}

/** Strict standard base64 (padding required, whitespace ignored). */
export function strictBase64(text: string, what: string): Buffer {
  const compact = text.replace(/\s/g, '');
  if (compact.length === 0 || compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) {
    throw new MalformedOmemoError(`${what} is not base64`);
  }
  return Buffer.from(compact, 'base64');
}

export function parseDeviceId(value: string | undefined, what: string): number {
  if (value === undefined || !/^\d{1,10}$/.test(value)) {
    throw new MalformedOmemoError(`${what} is not a device id`);
  }
  const id = Number(value);
  if (id < 1 || id > 0x7fffffff) throw new MalformedOmemoError(`${what} is out of range`);
  return id;
}

/** The `<encrypted/>` child of a message, or undefined when the message has none. */
export function findEncrypted(message: Element): Element | undefined {
  return message.getChild('encrypted', OMEMO_NS) ?? undefined;
}

export function parseEncrypted(encrypted: Element): OmemoEncrypted {
  const header = encrypted.getChild('header');
  if (!header) throw new MalformedOmemoError('encrypted element without header');
  const sid = parseDeviceId(header.attrs.sid as string | undefined, 'header sid');
  const ivText = header.getChildText('iv');
  if (ivText === null) throw new MalformedOmemoError('header without iv');
  const iv = strictBase64(ivText, 'iv');
  if (iv.length !== 12 && iv.length !== 16) throw new MalformedOmemoError('iv has a wrong length');
  const keys = header.getChildren('key').map((k) => ({
    rid: parseDeviceId(k.attrs.rid as string | undefined, 'key rid'),
    preKey: k.attrs.prekey === 'true' || k.attrs.prekey === '1',
    data: strictBase64(k.getText(), 'key'),
  }));
  const payloadText = encrypted.getChildText('payload');
  if (payloadText === null || payloadText.trim() === '') return { sid, keys, iv };
  return { sid, keys, iv, payload: strictBase64(payloadText, 'payload') };
}

export function encryptedElement(message: OmemoEncrypted): Element {
  const header = xml(
    'header',
    { sid: String(message.sid) },
    ...message.keys.map((k) =>
      xml(
        'key',
        k.preKey ? { rid: String(k.rid), prekey: 'true' } : { rid: String(k.rid) },
        k.data.toString('base64'),
      ),
    ),
    xml('iv', {}, message.iv.toString('base64')),
  );
  const children = [header];
  if (message.payload) children.push(xml('payload', {}, message.payload.toString('base64')));
  return xml('encrypted', { xmlns: OMEMO_NS }, ...children);
}

/** AES-128-GCM of the text; `keyMaterial` (key ‖ tag, 32 bytes) goes into each Signal message. */
export function encryptPayload(plaintext: string): {
  iv: Buffer;
  payload: Buffer;
  keyMaterial: Buffer;
} {
  const key = randomBytes(16);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-128-gcm', key, iv);
  const payload = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return { iv, payload, keyMaterial: Buffer.concat([key, cipher.getAuthTag()]) };
}

/** Opens the payload with the 32 bytes of key material; throws when it does not authenticate. */
export function decryptPayload(keyMaterial: Buffer, iv: Buffer, payload: Buffer): string {
  if (keyMaterial.length < 32)
    throw new MalformedOmemoError('key material too short for a payload');
  const key = keyMaterial.subarray(0, 16);
  const tag = keyMaterial.subarray(16, 32);
  const decipher = createDecipheriv('aes-128-gcm', key, iv);
  decipher.setAuthTag(tag);
  try {
    const text = Buffer.concat([decipher.update(payload), decipher.final()]);
    return new TextDecoder('utf-8', { fatal: true }).decode(text);
  } catch {
    throw new MalformedOmemoError('payload does not authenticate');
  }
}

/** A key transport message carries a fresh 16-byte key for every device and no payload. */
export function keyTransportMaterial(): { iv: Buffer; keyMaterial: Buffer } {
  return { iv: randomBytes(12), keyMaterial: randomBytes(16) };
}
