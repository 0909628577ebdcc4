/**
 * One account's connection: login (TLS, SASL, stream management, through ./xmpp-client.ts),
 * reconnect with backoff, and the stored connection state. Each new session's work is in
 * ./session-start.ts, archive results are routed by ./archive-routing.ts, other incoming
 * messages go to {@link MessageIntake}; the xmpp.js workarounds are in ./xmppjs-compat.ts.
 * Its events: {@link AccountConnectionEvents}.
 */
import { EventEmitter } from 'node:events';
import { isIP } from 'node:net';
import { xml, type Client } from '@xmpp/client';
import type { Element } from '@xmpp/xml';
import type Database from 'better-sqlite3';
import { accountJid, findAccountByUuid, type AccountRow } from '../store/accounts.js';
import { saveAccountState, type AccountConnectionState } from '../store/account-state.js';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import type { MessageCrypto, XmppChannel } from './crypto-hook.js';
import { ArchiveRouter } from './archive-routing.js';
import { bareJid, NS } from './stanza.js';
import { MessageIntake } from './message-intake.js';
import type { CatchupOptions } from './catchup.js';
import type { JoinedRoom } from './rooms.js';
import type { AccountConnectionEvents, AccountStateEvent } from './events.js';
import { beginSession, runSession, type SessionParts } from './session-start.js';
import {
  clientSocket,
  failPendingIqs,
  streamManagementEvents,
  streamManagementSettled,
} from './xmppjs-compat.js';
import {
  describeConnectError,
  isLoginFailure,
  isSecurityRefusal,
  ServerUnreachableError,
} from './login-errors.js';
import { Roster } from './roster.js';
import { createXmppClient } from './xmpp-client.js';
import { findServerEndpoints, type ServerEndpoint } from './server-endpoints.js';
import { connectionSettings, savePinnedMechanism } from '../store/account-settings.js';
import { mechanismRank, type Mechanism } from './sasl.js';
import { resourceHeldElsewhere } from './resource-probe.js';
import { ConnectError } from './errors.js';

export { ConnectError };

export interface AccountConnectionOptions {
  crypto?: MessageCrypto;
  backoff?: BackoffOptions;
  /** Keep retrying when the very first connection fails (server unreachable); `run` does, `sync` doesn't. */
  retryFirstConnect: boolean;
  catchup: CatchupOptions;
  /** Per-IQ timeout in ms. */
  iqTimeoutMs?: number;
  /** Bind this resource instead of the account's (see EngineOptions.temporaryResource). */
  resource?: string;
  /** Certificate authorities to trust besides the system's (PEM; see EngineOptions). */
  extraCaCertificates?: readonly string[];
  /** DNS servers for SRV lookups (see EngineOptions.dnsServers). */
  dnsServers?: string[];
}

export type { AccountConnectionEvents, AccountStateEvent };

export class AccountConnection extends EventEmitter<AccountConnectionEvents> {
  readonly jid: string;
  readonly uuid: string;
  state: AccountConnectionState = 'offline';
  lastError: string | undefined;
  /** What the user can do about `lastError`. */
  lastHint: string | undefined;
  /** Resolves when a session finished catching up; replaced on every new session. */
  private catchupWaiters: (() => void)[] = [];
  private caughtUp = false;
  private xmpp: Client | undefined;
  private stopping = false;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryWake: (() => void) | undefined;
  private session = 0;
  private everOnline = false;
  private loop: Promise<void> | undefined;
  /** Whether the server offered stream management (XEP-0198) on the current stream. */
  private smOffered = false;
  /** The server closed the stream because another connection bound the same resource. */
  private replaced = false;
  private readonly archives: ArchiveRouter;
  private readonly stanzaListeners = new Set<(stanza: Element) => void>();
  readonly rooms = new Map<string, JoinedRoom>();
  /** The roster and contacts' presence of the current session. */
  readonly roster = new Roster();
  readonly intake: MessageIntake;
  readonly channel: XmppChannel;

  constructor(
    private readonly db: Database.Database,
    private readonly account: AccountRow,
    private readonly opts: AccountConnectionOptions,
  ) {
    super();
    this.jid = accountJid(account).toLowerCase();
    this.uuid = account.uuid;
    const self = this; // eslint-disable-line @typescript-eslint/no-this-alias
    this.channel = {
      account: { uuid: account.uuid, jid: this.jid },
      get fullJid() {
        return self.xmpp?.jid?.toString();
      },
      iq: (request, timeoutMs) => this.iq(request, timeoutMs),
      send: (stanza) => this.send(stanza),
      onStanza: (listener) => {
        this.stanzaListeners.add(listener);
        return () => this.stanzaListeners.delete(listener);
      },
    };
    this.intake = new MessageIntake(db, {
      accountUuid: account.uuid,
      accountJid: this.jid,
      crypto: opts.crypto,
      channel: this.channel,
      rooms: this.rooms,
      sendReceipt: (to, id) =>
        this.send(
          xml(
            'message',
            { to, type: 'chat' },
            xml('received', { xmlns: NS.receipts, id }),
            xml('store', { xmlns: NS.hints }),
          ),
        ),
      onStored: (event) => this.emit('message', event),
      isStopping: () => this.stopping,
    });
    this.archives = new ArchiveRouter(this.jid, (request, timeoutMs) =>
      this.iq(request, timeoutMs),
    );
  }

  get online(): boolean {
    return this.state === 'online';
  }

  async iq(request: Element, timeoutMs = this.opts.iqTimeoutMs ?? 30_000): Promise<Element> {
    const x = this.xmpp;
    if (!x || !this.online) throw new Error(`${this.jid} is not connected`);
    return x.iqCaller.request(request, timeoutMs);
  }

  async send(stanza: Element): Promise<void> {
    const x = this.xmpp;
    if (!x || !this.online) throw new Error(`${this.jid} is not connected`);
    await x.send(stanza);
  }

  /**
   * Starts connecting. Resolves once the account is online; rejects with a {@link ConnectError}
   * on a login failure (wrong password, account gone), and when the server is unreachable on the
   * first attempt — unless `retryFirstConnect`, then it resolves and keeps trying with backoff.
   */
  start(): Promise<void> {
    this.stopping = false;
    return new Promise<void>((resolve, reject) => {
      const onState = (e: AccountStateEvent) => {
        if (e.state === 'online') {
          this.off('state', onState);
          resolve();
        } else if (e.state === 'login-failed' || e.state === 'insecure') {
          this.off('state', onState);
          reject(new ConnectError(e.state, e.error ?? e.state));
        } else if (e.state === 'unreachable' && !this.everOnline) {
          this.off('state', onState);
          if (this.opts.retryFirstConnect)
            resolve(); // keeps trying in the background
          else reject(new ConnectError(e.state, e.error ?? e.state));
        }
      };
      this.on('state', onState);
      this.loop = this.runLoop().then(
        () => {
          // Ended without coming online (stopped, replaced): settle rather than hang (no-op if settled).
          this.off('state', onState);
          reject(new ConnectError(this.state, this.lastError ?? `${this.jid} went offline`));
        },
        (err: unknown) => {
          this.off('state', onState);
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
  }

  /** Resolves when the connection has given up for good (login refused, replaced, stopped). */
  ended(): Promise<void> {
    return this.loop ?? Promise.resolve();
  }

  /** Resolves when the current (or next) session has caught up with the archives. */
  waitCatchupDone(): Promise<void> {
    if (this.caughtUp && this.online) return Promise.resolve();
    return new Promise((resolve) => this.catchupWaiters.push(resolve));
  }

  /** Goes offline cleanly (unavailable presence, stream close) and stops reconnecting. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryWake?.();
    const x = this.xmpp;
    this.xmpp = undefined;
    if (x) {
      if (this.online) {
        if (this.opts.crypto?.onOffline) this.opts.crypto.onOffline(this.channel);
        await x.send(xml('presence', { type: 'unavailable' })).catch(() => {});
      }
      await Promise.race([x.stop().catch(() => {}), delay(3000)]);
      failPendingIqs(x, 'the connection was closed');
      x.removeAllListeners();
      // The server may still reset the detached socket: that error must not go unhandled.
      x.on('error', () => {});
    }
    await this.intake.idle();
    await this.loop?.catch(() => {});
    if (this.state !== 'login-failed' && this.state !== 'unreachable' && this.state !== 'insecure')
      this.setState('offline');
  }

  private setState(
    state: AccountConnectionState,
    error?: string,
    details: { hint?: string; retryAt?: number; fingerprint?: string } = {},
  ): void {
    if (this.state === state && this.lastError === error && details.retryAt === undefined) return;
    this.state = state;
    this.lastError = error;
    this.lastHint = details.hint;
    if (this.db.open) saveAccountState(this.db, this.uuid, state, error ?? null, details);
    this.emit('state', {
      jid: this.jid,
      state,
      ...(error ? { error } : {}),
      ...(details.hint ? { hint: details.hint } : {}),
      ...(details.retryAt ? { retryAt: details.retryAt } : {}),
      ...(details.fingerprint ? { fingerprint: details.fingerprint } : {}),
    } satisfies AccountStateEvent);
  }

  /** The account row as stored now (settings may have changed since the engine started). */
  private currentRow(): AccountRow {
    if (!this.db.open) return this.account;
    return findAccountByUuid(this.db, this.uuid) ?? this.account;
  }

  /** The resource this connection binds. */
  private get resource(): string {
    return this.opts.resource ?? this.account.resource ?? '';
  }

  /** A client with the account's current settings, binding `resource`. */
  private newClient(resource: string | undefined, rememberMechanism: boolean): Client {
    const a = this.currentRow();
    const settings = connectionSettings(a);
    return createXmppClient({
      domain: a.server,
      username: a.username,
      password: a.password ?? '',
      resource,
      pinnedCertificates: settings.pinnedCertificates,
      extraCaCertificates: this.opts.extraCaCertificates ?? [],
      allowPlaintextLoopback: settings.allowPlaintextLoopback,
      pinnedMechanism: settings.pinnedMechanism,
      ...(rememberMechanism
        ? {
            onLoggedIn: (mechanism: Mechanism) => {
              // Remember the strongest mechanism that worked, as Conversations' pinned_mechanism.
              const pinned = settings.pinnedMechanism;
              if (this.db.open && (!pinned || mechanismRank(mechanism) > mechanismRank(pinned)))
                savePinnedMechanism(this.db, this.uuid, mechanism);
            },
          }
        : {}),
    });
  }

  /** An online session with a throwaway resource, for {@link resourceHeldElsewhere}. */
  private async openProbeSession(resource: string): Promise<Client> {
    const x = this.newClient(resource, false);
    x.on('error', () => {});
    try {
      await this.connectSocket(x);
      const online = Promise.race([
        waitEvent(x, 'online'),
        waitEvent(x, 'disconnect').then(() => Promise.reject(new Error('connection closed'))),
      ]);
      online.catch(() => {});
      await x.open({ domain: this.account.server, lang: x.options.lang });
      await online;
      return x;
    } catch (err) {
      await x.stop().catch(() => {});
      throw err;
    }
  }

  private createClient(): Client {
    const a = this.currentRow();
    const x = this.newClient(this.opts.resource ?? a.resource ?? undefined, true);
    x.on('error', (err: unknown) => {
      // Others are surfaced through start()/disconnect handling.
      if ((err as { condition?: unknown } | null)?.condition === 'conflict') this.replaced = true;
    });
    // No Nagle: otherwise an IQ sent right after a message waits ~40 ms for the delayed ACK.
    x.on('connect', () =>
      (x.socket as { setNoDelay?(on: boolean): void } | null)?.setNoDelay?.(true),
    );
    x.on('stanza', (stanza: Element) => this.onStanza(stanza));
    x.on('nonza', (n: Element) => {
      if (n.name === 'stream:features') this.smOffered = n.getChild('sm', NS.sm) !== undefined;
    });
    x.on('online', () => {
      // IQs sent on an earlier session will never be answered: fail them now (not after their timeout).
      failPendingIqs(x, 'the connection was lost');
      this.onSessionStart();
    });
    streamManagementEvents(x).on('resumed', () => {
      this.setState('online');
    });
    x.iqCallee.set(NS.roster, 'query', (ctx: { stanza: Element; element: Element }) => {
      // Roster pushes only count from the account itself (RFC 6121 §2.1.6).
      const from = ctx.stanza.attrs.from as string | undefined;
      if (from === undefined || bareJid(from) === this.jid) this.roster.push(ctx.element);
      return {};
    });
    return x;
  }

  /** Connects the socket to the first of the server's endpoints that answers. */
  private async connectSocket(x: Client): Promise<ServerEndpoint> {
    const settings = connectionSettings(this.currentRow());
    const endpoints = await findServerEndpoints({
      domain: this.account.server,
      hostname: settings.hostname,
      port: settings.port,
      ...(this.opts.dnsServers ? { dnsServers: this.opts.dnsServers } : {}),
    });
    const attempts: { endpoint: ServerEndpoint; error: unknown }[] = [];
    for (const endpoint of endpoints) {
      if (this.stopping) break;
      const host = isIP(endpoint.host) === 6 ? `[${endpoint.host}]` : endpoint.host;
      try {
        await x.connect(`${endpoint.directTls ? 'xmpps' : 'xmpp'}://${host}:${endpoint.port}`);
        return endpoint;
      } catch (error) {
        attempts.push({ endpoint, error });
        // Let the failed socket close before the next one is attached to the same client.
        const sock = clientSocket(x);
        if (sock) await Promise.race([waitEvent(sock, 'close'), delay(2000)]);
      }
    }
    throw new ServerUnreachableError(attempts);
  }

  /** Connect; on a drop, reconnect (resuming the stream when the server allows) with backoff. */
  private async runLoop(): Promise<void> {
    while (!this.stopping) {
      this.setState('connecting');
      let endpoint: ServerEndpoint | undefined;
      let endedByServer = false;
      try {
        if (!this.xmpp) this.xmpp = this.createClient();
        const x = this.xmpp;
        endpoint = await this.connectSocket(x);
        const disconnected = waitEvent(x, 'disconnect');
        const ready = Promise.race([
          waitEvent(x, 'online'),
          waitEvent(streamManagementEvents(x), 'resumed'),
          waitEvent(x, 'error').then((err) => Promise.reject(err)),
          disconnected.then(() => Promise.reject(new Error('connection closed'))),
        ]);
        ready.catch(() => {});
        await x.open({ domain: this.account.server, lang: x.options.lang });
        await ready;
        this.attempt = 0;
        endedByServer = serverEndedConnection(await disconnected);
      } catch (err) {
        if (this.stopping) break;
        const problem = describeConnectError(err, this.currentRow(), endpoint);
        if (isLoginFailure(err) || isSecurityRefusal(err)) {
          // No retry storm: the user must fix the password, or decide about the server's security.
          const x = this.xmpp;
          this.xmpp = undefined;
          await x?.stop().catch(() => {});
          this.setState(problem.state, problem.error, {
            hint: problem.hint,
            ...(problem.fingerprint ? { fingerprint: problem.fingerprint } : {}),
          });
          return;
        }
        const retrying = this.everOnline || this.opts.retryFirstConnect;
        if (!this.everOnline) {
          const x = this.xmpp;
          this.xmpp = undefined;
          await x?.stop().catch(() => {});
        }
        if (!retrying) {
          this.setState('unreachable', problem.error, { hint: problem.hint });
          return;
        }
        const wait = backoffDelay(this.attempt++, this.opts.backoff ?? DEFAULT_BACKOFF);
        this.setState('unreachable', problem.error, {
          hint: problem.hint,
          retryAt: Date.now() + wait,
        });
        await this.sleep(wait);
        continue;
      }
      if (this.stopping) break;
      // The server may have lost the <conflict/> it meant to send (see ./resource-probe.ts):
      // before binding the resource again, make sure no one else holds it now.
      if (!this.replaced && endedByServer && this.resource) {
        this.replaced = await resourceHeldElsewhere({
          fullJid: `${this.jid}/${this.resource}`,
          openSession: (resource) => this.openProbeSession(resource),
        });
        if (this.stopping) break;
      }
      if (this.replaced) {
        // Another client logged in with the same resource and the server closed this stream.
        // Reconnecting would throw that one out in turn, back and forth: stop instead.
        const x = this.xmpp;
        this.xmpp = undefined;
        await x?.stop().catch(() => {});
        this.setState(
          'offline',
          `another connection with the same resource (${this.resource}) took over ` +
            `${this.jid}: another ferry or device is using this account`,
        );
        return;
      }
      const wait = backoffDelay(this.attempt++, this.opts.backoff ?? DEFAULT_BACKOFF);
      this.setState('connecting', undefined, { retryAt: Date.now() + wait });
      await this.sleep(wait);
    }
  }

  private async sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      this.retryWake = resolve;
      this.retryTimer = setTimeout(resolve, ms);
    });
    this.retryWake = undefined;
  }

  /** What the session's work (./session-start.ts) uses of this connection. */
  private get sessionParts(): SessionParts {
    return {
      db: this.db,
      account: this.account,
      channel: this.channel,
      archives: this.archives.transport,
      intake: this.intake,
      rooms: this.rooms,
      roster: this.roster,
      crypto: this.opts.crypto,
      catchup: this.opts.catchup,
    };
  }

  /** A new session (not a resumed one): presence, roster, carbons, plugins, catch-up, rooms. */
  private onSessionStart(): void {
    const session = ++this.session;
    this.everOnline = true;
    this.caughtUp = false;
    // Where the catch-up starts is decided before any stanza of this session is stored.
    const parts = this.sessionParts;
    const accountStart = beginSession(parts);
    this.setState('online');
    const x = this.xmpp;
    const current = () => session === this.session && !this.stopping;
    void (x && this.smOffered ? streamManagementSettled(x) : Promise.resolve())
      .then(() => runSession(parts, accountStart, current))
      .then((caughtUp) => (caughtUp ? this.onCaughtUp() : undefined))
      .catch(() => {
        // The connection dropped in the middle: the next session resumes from the saved position.
      });
  }

  private async onCaughtUp(): Promise<void> {
    this.caughtUp = true;
    if (this.opts.crypto?.onCatchupDone) await this.opts.crypto.onCatchupDone(this.channel);
    this.emit('catchup-done', { jid: this.jid });
    const waiters = this.catchupWaiters;
    this.catchupWaiters = [];
    for (const w of waiters) w();
  }

  private onStanza(stanza: Element): void {
    for (const l of this.stanzaListeners) {
      try {
        l(stanza);
      } catch {
        // a plugin's listener must not break the connection
      }
    }
    if (this.archives.route(stanza)) return;
    if (stanza.is('message')) {
      this.intake.enqueueLive(stanza);
    } else if (stanza.is('presence')) {
      const requester = this.roster.presence(stanza);
      if (requester) this.emit('subscription-request', { jid: this.jid, from: requester });
    }
  }
}

/**
 * Whether the server ended the connection (it closed or reset the socket), judged from xmpp.js'
 * 'disconnect' event (`{ clean, reason }`); not a timeout or an unreachable network.
 */
function serverEndedConnection(event: unknown): boolean {
  const e = event as { clean?: boolean; reason?: { code?: unknown } } | undefined;
  if (e?.clean === true) return true;
  const code = e?.reason?.code;
  return code === 'ECONNRESET' || code === 'EPIPE';
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function waitEvent(emitter: NodeJS.EventEmitter | EventEmitter, event: string): Promise<unknown> {
  return new Promise((resolve) => emitter.once(event, resolve));
}
