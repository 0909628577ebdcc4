/**
 * SASL login (RFC 6120 §6) as strong as the server allows: SCRAM-SHA-256 (RFC 7677), then
 * SCRAM-SHA-1 (RFC 5802), PLAIN only over TLS; the server's signature is checked, so a server that
 * doesn't know the password can't pretend to. No silent downgrade: when the account logged in with
 * a mechanism before (Conversations' `pinned_mechanism`), a server offering only weaker ones is
 * refused. Channel binding (`-PLUS`) is not done: xmpp.js 0.14 has none, and Prosody 0.12 offers only
 * `tls-unique`, which TLS 1.3 doesn't define (docs/chat.md).
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { xml, type Client } from '@xmpp/client';
import type { Element } from '@xmpp/xml';
import { NoMechanismError, SASLError, SaslDowngradeError } from './errors.js';

export { NoMechanismError, SASLError };

export const NS_SASL = 'urn:ietf:params:xml:ns:xmpp-sasl';

/** What ferry can do, strongest first. */
export const SUPPORTED_MECHANISMS = ['SCRAM-SHA-256', 'SCRAM-SHA-1', 'PLAIN'] as const;
export type Mechanism = (typeof SUPPORTED_MECHANISMS)[number];

/** How strong a mechanism name is (channel binding aside); unknown names rank lowest. */
export function mechanismRank(name: string): number {
  const base = name.toUpperCase().replace(/-PLUS$/, '');
  switch (base) {
    case 'SCRAM-SHA-512':
      return 4;
    case 'SCRAM-SHA-256':
      return 3;
    case 'SCRAM-SHA-1':
      return 2;
    case 'PLAIN':
      return 1;
    default:
      return 0;
  }
}

/**
 * Picks the mechanism: the strongest of ours the server offers (PLAIN only when `secure`).
 * Throws {@link SaslDowngradeError} when the server offers nothing as strong as `pinned`.
 */
export function chooseMechanism(
  offered: string[],
  opts: { secure: boolean; pinned: string | null },
): Mechanism {
  const upper = offered.map((m) => m.toUpperCase());
  if (opts.pinned && mechanismRank(opts.pinned) > 0) {
    const best = Math.max(0, ...upper.map(mechanismRank));
    if (best < mechanismRank(opts.pinned)) throw new SaslDowngradeError(opts.pinned, offered);
  }
  const mech = SUPPORTED_MECHANISMS.find(
    (m) => upper.includes(m) && (m !== 'PLAIN' || opts.secure),
  );
  if (!mech) throw new NoMechanismError(offered, opts.secure);
  return mech;
}

function saslName(s: string): string {
  return s.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

function attributes(message: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of message.split(',')) {
    const i = part.indexOf('=');
    if (i > 0) out.set(part.slice(0, i), part.slice(i + 1));
  }
  return out;
}

/** One SCRAM exchange (client side), for `sha256` or `sha1`. */
export class ScramClient {
  private readonly nonce = randomBytes(18).toString('base64');
  private readonly gs2 = 'n,,';
  private clientFirstBare = '';
  private serverSignature: Buffer | undefined;

  constructor(
    private readonly hash: 'sha256' | 'sha1',
    private readonly username: string,
    private readonly password: string,
  ) {}

  first(): string {
    this.clientFirstBare = `n=${saslName(this.username)},r=${this.nonce}`;
    return this.gs2 + this.clientFirstBare;
  }

  /** The answer to the server-first message; throws on a malformed or dishonest challenge. */
  final(serverFirst: string): string {
    const a = attributes(serverFirst);
    const nonce = a.get('r') ?? '';
    const salt = Buffer.from(a.get('s') ?? '', 'base64');
    const iterations = Number(a.get('i'));
    if (!nonce.startsWith(this.nonce) || nonce === this.nonce || salt.length === 0) {
      throw new SASLError('malformed-request', 'the server sent an invalid SCRAM challenge');
    }
    if (!Number.isInteger(iterations) || iterations < 1 || iterations > 10_000_000) {
      throw new SASLError('malformed-request', 'the server asked for an invalid iteration count');
    }
    const len = this.hash === 'sha256' ? 32 : 20;
    const salted = pbkdf2Sync(this.password.normalize('NFKC'), salt, iterations, len, this.hash);
    const hmac = (key: Buffer, data: string) => createHmac(this.hash, key).update(data).digest();
    const clientKey = hmac(salted, 'Client Key');
    const storedKey = createHash(this.hash).update(clientKey).digest();
    const withoutProof = `c=${Buffer.from(this.gs2).toString('base64')},r=${nonce}`;
    const authMessage = `${this.clientFirstBare},${serverFirst},${withoutProof}`;
    const signature = hmac(storedKey, authMessage);
    const proof = Buffer.alloc(len);
    for (let i = 0; i < len; i++) proof[i] = clientKey[i]! ^ signature[i]!;
    this.serverSignature = hmac(hmac(salted, 'Server Key'), authMessage);
    return `${withoutProof},p=${proof.toString('base64')}`;
  }

  /** Checks the server's proof that it knows the password (the `v=` of its final message). */
  verify(serverFinal: string): void {
    const v = Buffer.from(attributes(serverFinal).get('v') ?? '', 'base64');
    const expected = this.serverSignature;
    if (!expected || v.length !== expected.length || !timingSafeEqual(v, expected)) {
      throw new SASLError(
        'server-signature-invalid',
        'the server could not prove it knows the password',
      );
    }
  }
}

function b64(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64');
}

function unb64(el: Element): string {
  return Buffer.from(el.text(), 'base64').toString('utf8');
}

interface SaslEntity {
  send(el: Element): Promise<void>;
  on(event: 'nonza', fn: (el: Element) => void): void;
  off(event: 'nonza', fn: (el: Element) => void): void;
}

/** Runs one SASL exchange over the stream; resolves on `<success/>`, rejects with {@link SASLError}. */
export async function authenticate(
  entity: Client,
  mechanism: Mechanism,
  credentials: { username: string; password: string },
): Promise<void> {
  const e = entity as unknown as SaslEntity;
  const scram =
    mechanism === 'PLAIN'
      ? undefined
      : new ScramClient(
          mechanism === 'SCRAM-SHA-256' ? 'sha256' : 'sha1',
          credentials.username,
          credentials.password,
        );
  const initial = scram
    ? scram.first()
    : `\u0000${credentials.username}\u0000${credentials.password}`;
  await new Promise<void>((resolve, reject) => {
    const onNonza = (el: Element): void => {
      if (el.attrs.xmlns !== NS_SASL) return;
      const fail = (err: unknown) => {
        e.off('nonza', onNonza);
        reject(err instanceof Error ? err : new Error(String(err)));
      };
      try {
        if (el.name === 'challenge') {
          if (!scram) throw new SASLError('malformed-request', 'unexpected challenge');
          void e.send(xml('response', { xmlns: NS_SASL }, b64(scram.final(unb64(el))))).catch(fail);
        } else if (el.name === 'failure') {
          const condition = el.children.find(
            (c): c is Element => typeof c !== 'string' && c.name !== 'text',
          );
          throw new SASLError(
            condition?.name ?? 'not-authorized',
            el.getChildText('text') ?? undefined,
          );
        } else if (el.name === 'success') {
          if (scram) scram.verify(unb64(el));
          e.off('nonza', onNonza);
          resolve();
        }
      } catch (err) {
        fail(err);
      }
    };
    e.on('nonza', onNonza);
    e.send(xml('auth', { xmlns: NS_SASL, mechanism }, b64(initial))).catch((err: unknown) => {
      e.off('nonza', onNonza);
      reject(err instanceof Error ? err : new Error(String(err)));
    });
  });
}
