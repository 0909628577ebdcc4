/**
 * ferry's XMPP client, assembled from xmpp.js 0.14's parts (as `@xmpp/client` does) with the
 * security ferry promises built in (docs/chat.md):
 *
 * - TLS always: STARTTLS, or direct TLS on an `xmpps://` endpoint. A stream whose features offer
 *   no `<starttls/>` on an unencrypted connection is closed before any credential is sent — unless
 *   the account opted in to plaintext (`allowPlaintextLoopback`) and the socket's peer really is a
 *   loopback address.
 * - Certificates checked against the trust store and the account's domain (not the host connected
 *   to), or pinned by the user for this account; otherwise {@link CertificateError}.
 * - SASL from ./sasl.ts (SCRAM-SHA-256, SCRAM-SHA-1, PLAIN only over TLS; no downgrade).
 * - No websocket transport, no HTTP host-meta lookups, no automatic reconnect (ferry reconnects
 *   itself, with backoff), no SASL2/FAST.
 * - IQ requests whose outcome is always handled, even when the reply arrives before `send()`
 *   has resolved (xmpp.js 0.14's `IQCaller.request` left that rejection unhandled; the
 *   replacement is in ./xmppjs-compat.ts with ferry's other xmpp.js workarounds).
 */
import { Socket as NetSocket, isIP } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { EventEmitter } from 'node:events';
import { jid as jidOf, xml, type Client } from '@xmpp/client';
import { Client as CoreClient } from '@xmpp/client-core';
import type { Element } from '@xmpp/xml';
import ConnectionTCP from '@xmpp/connection-tcp';
import _middleware from '@xmpp/middleware';
import _streamFeatures from '@xmpp/stream-features';
import _iqCaller from '@xmpp/iq/caller.js';
import _iqCallee from '@xmpp/iq/callee.js';
import _resourceBinding from '@xmpp/resource-binding';
import _streamManagement from '@xmpp/stream-management';
import {
  checkServerCertificate,
  isLoopbackHost,
  NoTlsError,
  trustedCertificates,
} from './transport-security.js';
import { authenticate, chooseMechanism, NS_SASL, type Mechanism } from './sasl.js';
import { safeIqRequest } from './xmppjs-compat.js';

const NS_TLS = 'urn:ietf:params:xml:ns:xmpp-tls';
const NS_STREAMS = 'http://etherx.jabber.org/streams';

export interface XmppClientOptions {
  /** The account's domain: what the certificate must name, and the stream's `to`. */
  domain: string;
  username: string;
  password: string;
  resource?: string | undefined;
  /** SHA-256 fingerprints of certificates the user trusted for this account. */
  pinnedCertificates?: readonly string[];
  /** More certificate authorities to trust (PEM), besides the system's and NODE_EXTRA_CA_CERTS. */
  extraCaCertificates?: readonly string[];
  /** The account's explicit plaintext-on-loopback opt-in (honoured only when the peer is loopback). */
  allowPlaintextLoopback?: boolean;
  /** Conversations' `pinned_mechanism` of the account. */
  pinnedMechanism?: string | null;
  /** Called after a successful login with the mechanism used. */
  onLoggedIn?: (mechanism: Mechanism) => void;
  /** Give up on a TCP/TLS connection that doesn't complete within this time; default 15 s. */
  connectTimeoutMs?: number;
}

type Loose = (...args: unknown[]) => Record<string, unknown>;
const loose = (f: unknown): Loose => f as Loose;

interface ConnectionEntity {
  socket: unknown;
  isSecure(): boolean;
  send(el: Element): Promise<void>;
  sendReceive(el: Element): Promise<Element>;
  restart(): Promise<void>;
  _attachSocket(socket: unknown): void;
}

function timedOut(what: string): Error {
  return Object.assign(new Error(`${what} timed out`), { code: 'ETIMEDOUT' });
}

/** Builds a client; connect it with `connect('xmpp://host:port' | 'xmpps://host:port')` and `open()`. */
export function createXmppClient(opts: XmppClientOptions): Client {
  const connectTimeoutMs = opts.connectTimeoutMs ?? 15_000;
  const pins = (opts.pinnedCertificates ?? []).map((p) => p.toUpperCase());
  const ca = trustedCertificates(opts.extraCaCertificates ?? []);

  /** A TLS socket that only reports 'connect' once the certificate passed ferry's checks. */
  class VerifiedTlsSocket extends EventEmitter {
    secure = true;
    socket: TLSSocket | null = null;

    connect(params: { host?: string; port?: number; socket?: NetSocket }): void {
      const raw = tlsConnect({
        ...(params.socket ? { socket: params.socket } : { host: params.host, port: params.port }),
        servername: isIP(opts.domain) === 0 ? opts.domain : undefined,
        ca,
        rejectUnauthorized: false, // checked below, so that the reason can be told
        minVersion: 'TLSv1.2',
      });
      this.socket = raw;
      const timer = setTimeout(() => raw.destroy(timedOut('TLS connection')), connectTimeoutMs);
      raw.once('secureConnect', () => {
        clearTimeout(timer);
        const problem = checkServerCertificate(raw, opts.domain, pins);
        if (problem) {
          raw.destroy();
          this.emit('error', problem);
          return;
        }
        this.emit('connect');
      });
      raw.on('data', (d: Buffer) => this.emit('data', d));
      raw.on('error', (e: Error) => {
        clearTimeout(timer);
        this.emit('error', e);
      });
      raw.on('close', (hadError: boolean) => {
        clearTimeout(timer);
        this.socket = null;
        // As net.Socket: whether it closed on an error (xmpp.js reports `clean: !hadError`).
        this.emit('close', hadError);
      });
    }

    get remoteAddress(): string | undefined {
      return this.socket?.remoteAddress;
    }

    setNoDelay(on: boolean): void {
      this.socket?.setNoDelay(on);
    }

    end(): void {
      this.socket?.end();
    }

    destroy(): void {
      this.socket?.destroy();
    }

    write(data: string, fn?: (err?: Error | null) => void): void {
      if (!this.socket) {
        fn?.(new Error('socket closed'));
        return;
      }
      this.socket.write(data, fn);
    }
  }

  /** A plain TCP socket (for STARTTLS) with a connect timeout. */
  class TcpSocket extends NetSocket {
    secure = false;
    override connect(...args: unknown[]): this {
      const timer = setTimeout(() => this.destroy(timedOut('connection')), connectTimeoutMs);
      this.once('connect', () => clearTimeout(timer));
      this.once('close', () => clearTimeout(timer));
      return (super.connect as (...a: unknown[]) => this)(...args);
    }
  }

  const Base = ConnectionTCP as unknown as new () => object;
  const parse = (service: string, protocol: string) => {
    const u = new URL(service);
    if (u.protocol !== protocol) return undefined;
    return { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port) };
  };
  class StartTlsTransport extends Base {}
  Object.assign(StartTlsTransport.prototype, {
    NS: 'jabber:client',
    Socket: TcpSocket,
    socketParameters: (service: string) => parse(service, 'xmpp:'),
  });
  class DirectTlsTransport extends Base {}
  Object.assign(DirectTlsTransport.prototype, {
    NS: 'jabber:client',
    Socket: VerifiedTlsSocket,
    socketParameters: (service: string) => parse(service, 'xmpps:'),
  });

  const entity = new (CoreClient as unknown as new (o: unknown) => Client)({ domain: opts.domain });
  const e = entity as unknown as ConnectionEntity & { transports: unknown[]; jid: unknown };
  e.transports.push(StartTlsTransport, DirectTlsTransport);
  // The account's bare JID, for the stream header's `from` once encrypted.
  e.jid = jidOf(opts.username, opts.domain);

  const middleware = loose(_middleware)({ entity });
  const streamFeatures = loose(_streamFeatures)({ middleware });
  const iqCaller = loose(_iqCaller)({ middleware, entity });
  const iqCallee = loose(_iqCallee)({ middleware, entity });
  const use = streamFeatures.use as (
    name: string,
    ns: string,
    fn: (ctx: { entity: ConnectionEntity }, next: () => Promise<void>, el: Element) => unknown,
  ) => void;

  // 1. STARTTLS, with ferry's certificate checks.
  use('starttls', NS_TLS, async ({ entity: en }, next) => {
    if (en.isSecure()) return next();
    const answer = await en.sendReceive(xml('starttls', { xmlns: NS_TLS }));
    if (!answer.is('proceed', NS_TLS)) throw new Error('the server refused STARTTLS');
    const tlsSocket = new VerifiedTlsSocket();
    const ready = new Promise<void>((resolve, reject) => {
      tlsSocket.once('connect', resolve);
      tlsSocket.once('error', reject);
    });
    tlsSocket.connect({ socket: en.socket as NetSocket });
    await ready;
    en._attachSocket(tlsSocket);
    await en.restart();
  });

  // 2. The guard: nothing more happens on an unencrypted stream (STARTTLS missing or stripped).
  (
    middleware.use as (
      fn: (
        ctx: { stanza: Element; entity: ConnectionEntity },
        next: () => Promise<void>,
      ) => unknown,
    ) => void
  )(async (ctx, next) => {
    const { stanza, entity: en } = ctx;
    if (!stanza.is('features', NS_STREAMS) || en.isSecure()) return next();
    if (stanza.getChild('starttls', NS_TLS)) return next();
    const peer = (en.socket as { remoteAddress?: string; remotePort?: number } | null) ?? {};
    const where = `${peer.remoteAddress ?? '?'}:${peer.remotePort ?? '?'}`;
    if (opts.allowPlaintextLoopback && peer.remoteAddress && isLoopbackHost(peer.remoteAddress)) {
      return next();
    }
    throw new NoTlsError(where);
  });

  // 3. SASL.
  use('mechanisms', NS_SASL, async ({ entity: en }, _next, el) => {
    const offered = el.getChildren('mechanism', NS_SASL).map((m) => m.text());
    const mechanism = chooseMechanism(offered, {
      secure: en.isSecure(),
      pinned: opts.pinnedMechanism ?? null,
    });
    await authenticate(entity, mechanism, { username: opts.username, password: opts.password });
    opts.onLoggedIn?.(mechanism);
    await en.restart();
  });

  const streamManagement = loose(_streamManagement)({ streamFeatures, entity, middleware });
  const resourceBinding = loose(_resourceBinding)({ iqCaller, streamFeatures }, opts.resource);
  (iqCallee.get as (ns: string, name: string, fn: () => object) => void)(
    'urn:xmpp:ping',
    'ping',
    () => ({}),
  );
  iqCaller.request = safeIqRequest(entity, iqCaller);

  return Object.assign(entity, {
    entity,
    middleware,
    streamFeatures,
    iqCaller,
    iqCallee,
    streamManagement,
    resourceBinding,
  }) as unknown as Client;
}
