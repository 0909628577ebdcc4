/**
 * One account's connection: login (SCRAM, stream management), reconnect with backoff, the stored
 * connection state, and the work done on each new session (roster, presence, carbons, archive
 * catch-up, rooms). Incoming messages go to {@link MessageIntake}.
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
import type { ArchiveItem, ArchiveTransport } from './archive-query.js';
import { bareJid, NS, unwrapArchiveResult } from './stanza.js';
import { MessageIntake, type StoredMessageEvent } from './message-intake.js';
import { catchUpArchive, startPositionFor, type CatchupOptions } from './catchup.js';
import { joinRoom, refreshRoomEncryption, type JoinedRoom } from './rooms.js';
import { listGroupConversations } from '../store/conversations.js';
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
import { mechanismRank } from './sasl.js';
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

export interface AccountStateEvent {
  jid: string;
  state: AccountConnectionState;
  error?: string;
  /** What the user can do (with `error`). */
  hint?: string;
  /** When the next attempt starts (ms since the epoch), while retrying. */
  retryAt?: number;
  /** A refused certificate's SHA-256 fingerprint (state `insecure`). */
  fingerprint?: string;
}

/**
 * Events: 'state' (AccountStateEvent), 'message' (StoredMessageEvent), 'catchup-done' ({ jid }),
 * 'subscription-request' ({ jid, from }).
 */
export class AccountConnection extends EventEmitter {
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
  private readonly collectors = new Map<
    string,
    { archiveJid: string | undefined; onItem: (item: ArchiveItem) => void }
  >();
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
      onStored: (event: StoredMessageEvent) => this.emit('message', event),
      isStopping: () => this.stopping,
    });
  }

  get online(): boolean {
    return this.state === 'online';
  }

  /** The archive transport for catch-up queries over this connection. */
  private readonly transport: ArchiveTransport = {
    iq: (request, timeoutMs) => this.iq(request, timeoutMs),
    collect: (queryId, archiveJid, onItem) => {
      this.collectors.set(queryId, { archiveJid, onItem });
      return () => this.collectors.delete(queryId);
    },
  };

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

  private createClient(): Client {
    const a = this.currentRow();
    const settings = connectionSettings(a);
    const x = createXmppClient({
      domain: a.server,
      username: a.username,
      password: a.password ?? '',
      resource: this.opts.resource ?? a.resource ?? undefined,
      pinnedCertificates: settings.pinnedCertificates,
      extraCaCertificates: this.opts.extraCaCertificates ?? [],
      allowPlaintextLoopback: settings.allowPlaintextLoopback,
      pinnedMechanism: settings.pinnedMechanism,
      onLoggedIn: (mechanism) => {
        // Remember the strongest mechanism that worked, as Conversations' pinned_mechanism.
        const pinned = settings.pinnedMechanism;
        if (this.db.open && (!pinned || mechanismRank(mechanism) > mechanismRank(pinned)))
          savePinnedMechanism(this.db, this.uuid, mechanism);
      },
    });
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
    smEvents(x).on('resumed', () => {
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
        const sock = (x as unknown as { socket: EventEmitter | null }).socket;
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
      try {
        if (!this.xmpp) this.xmpp = this.createClient();
        const x = this.xmpp;
        endpoint = await this.connectSocket(x);
        const disconnected = waitEvent(x, 'disconnect');
        const ready = Promise.race([
          waitEvent(x, 'online'),
          waitEvent(smEvents(x), 'resumed'),
          waitEvent(x, 'error').then((err) => Promise.reject(err)),
          disconnected.then(() => Promise.reject(new Error('connection closed'))),
        ]);
        ready.catch(() => {});
        await x.open({ domain: this.account.server, lang: x.options.lang });
        await ready;
        this.attempt = 0;
        await disconnected;
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
      if (this.replaced) {
        // Another client logged in with the same resource and the server closed this stream.
        // Reconnecting would throw that one out in turn, back and forth: stop instead.
        const x = this.xmpp;
        this.xmpp = undefined;
        await x?.stop().catch(() => {});
        this.setState(
          'offline',
          `another connection with the same resource (${this.opts.resource ?? this.account.resource ?? ''}) took over ` +
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

  /** A new session (not a resumed one): presence, roster, carbons, plugins, catch-up, rooms. */
  private onSessionStart(): void {
    const session = ++this.session;
    this.everOnline = true;
    this.caughtUp = false;
    for (const room of this.rooms.values()) room.close();
    this.rooms.clear();
    this.roster.clearPresence();
    // Where the catch-up starts is decided before any stanza of this session is stored.
    const accountStart = startPositionFor(this.db, this.uuid, undefined);
    this.intake.setArchiveCaughtUp(undefined, false);
    this.setState('online');
    const x = this.xmpp;
    void (x ? this.streamManagementSettled(x) : Promise.resolve())
      .then(() => this.sessionWork(session, accountStart))
      .catch(() => {
        // The connection dropped in the middle: the next session resumes from the saved position.
      });
  }

  /**
   * xmpp.js announces 'online' right after resource binding, before it enables stream management.
   * Anything the server sends us in between is counted by xmpp.js but then its counter is reset,
   * and the server later closes the stream ("acknowledged less stanzas than already
   * acknowledged"). So nothing is sent until the server has answered `<enable/>`.
   */
  private async streamManagementSettled(x: Client): Promise<void> {
    if (!this.smOffered) return;
    const sm = x.streamManagement as unknown as { enabled: boolean };
    const deadline = Date.now() + 5000;
    while (!sm.enabled && Date.now() < deadline && this.xmpp === x) {
      await delay(5);
    }
  }

  private async sessionWork(
    session: number,
    accountStart: ReturnType<typeof startPositionFor>,
  ): Promise<void> {
    const current = () => session === this.session && !this.stopping;
    const roster = await this.iq(
      xml('iq', { type: 'get' }, xml('query', { xmlns: NS.roster })),
    ).catch(() => undefined);
    if (roster) this.roster.load(roster);
    await this.send(xml('presence'));
    await this.iq(xml('iq', { type: 'set' }, xml('enable', { xmlns: NS.carbons }))).catch(() => {});
    if (this.opts.crypto?.onOnline) await this.opts.crypto.onOnline(this.channel);
    if (!current()) return;
    await catchUpArchive({
      db: this.db,
      transport: this.transport,
      intake: this.intake,
      accountUuid: this.uuid,
      archiveJid: undefined,
      start: accountStart,
      options: this.opts.catchup,
      isCurrent: current,
    });
    for (const conversation of listGroupConversations(this.db, this.uuid)) {
      if (!current()) return;
      // The start is decided before joining, so live room messages can't move it.
      const start = startPositionFor(this.db, this.uuid, {
        jid: bareJid(conversation.contactJid),
        conversationUuid: conversation.uuid,
      });
      const room = await joinRoom(this.channel, this.account, conversation).catch(() => undefined);
      if (!room) continue;
      this.rooms.set(room.jid, room);
      // OMEMO in the room needs its configuration and members (and their device lists) first.
      const refresh = () =>
        refreshRoomEncryption(this.db, this.channel, this.opts.crypto, room, conversation);
      room.onConfigurationChange(
        () =>
          void room
            .discover(this.channel)
            .then(refresh)
            .catch(() => {}),
      );
      await refresh().catch(() => {});
      await catchUpArchive({
        db: this.db,
        transport: this.transport,
        intake: this.intake,
        accountUuid: this.uuid,
        archiveJid: room.jid,
        start,
        options: this.opts.catchup,
        isCurrent: current,
      }).catch(() => {});
    }
    if (!current()) return;
    await this.intake.idle();
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
    if (stanza.is('message')) {
      const result = unwrapArchiveResult(stanza);
      if (result) {
        const collector = this.collectors.get(result.queryId);
        const from = stanza.attrs.from as string | undefined;
        if (!collector) return;
        const expected = collector.archiveJid ?? this.jid;
        if (from !== undefined && bareJid(from) !== expected.toLowerCase()) return;
        collector.onItem({
          archiveId: result.archiveId,
          message: result.message,
          stamp: result.stamp,
        });
        return;
      }
      this.intake.enqueueLive(stanza);
    } else if (stanza.is('presence')) {
      const requester = this.roster.presence(stanza);
      if (requester) this.emit('subscription-request', { jid: this.jid, from: requester });
    }
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** Rejects every IQ still waiting for an answer on this client. */
function failPendingIqs(x: Client, reason: string): void {
  const handlers = (x.iqCaller as unknown as { handlers: Map<string, { reject(e: Error): void }> })
    .handlers;
  for (const deferred of handlers.values()) deferred.reject(new Error(reason));
  handlers.clear();
}

/** xmpp.js's stream management emits 'resumed' but its types don't say it is an emitter. */
function smEvents(x: Client): EventEmitter {
  return x.streamManagement as unknown as EventEmitter;
}

function waitEvent(emitter: NodeJS.EventEmitter | EventEmitter, event: string): Promise<unknown> {
  return new Promise((resolve) => emitter.once(event, resolve));
}
