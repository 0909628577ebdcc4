/**
 * The XMPP engine: brings the profile's enabled accounts online, catches up from the archives,
 * stores what arrives in Conversations' tables, and sends messages. Its events:
 * {@link EngineEvents} (./events.ts).
 *
 *   const engine = new Engine(profile, { crypto });
 *   engine.on('message', (e) => …);        // e: StoredMessageEvent
 *   engine.on('account-state', (e) => …);  // e: AccountStateEvent
 *   await engine.start();            // stay online (ferry run)
 *   await engine.sync();             // or: connect, catch up, disconnect (ferry sync)
 *   await engine.sendMessage('alice@example.org', 'bob@example.org', 'hi');
 *   await engine.stop();
 */
import { EventEmitter } from 'node:events';
import { randomBytes, randomUUID } from 'node:crypto';
import { xml } from '@xmpp/client';
import type Database from 'better-sqlite3';
import type { Element } from '@xmpp/xml';
import {
  accountJid,
  findAccountByJid,
  isAccountEnabled,
  listAccounts,
  type AccountRow,
} from '../store/accounts.js';
import {
  bareJid,
  CONVERSATION_MODE,
  findOrCreateConversation,
  jidResource,
  setConversationAttributes,
  unarchiveConversation,
} from '../store/conversations.js';
import {
  ensureMessageIndexes,
  insertMessage,
  MESSAGE_ENCRYPTION,
  MESSAGE_STATUS,
  setMessageSendFailed,
  setMessageSent,
  type MessageRow,
} from '../store/messages.js';
import { AccountConnection } from './account-connection.js';
import { ConnectError, EngineError } from './errors.js';
import type { AccountConnectionState } from '../store/account-state.js';
import { DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import { DEFAULT_CATCHUP, type CatchupOptions } from './catchup.js';
import type { MessageCrypto, XmppChannel } from './crypto-hook.js';
import type { AccountStateEvent, EngineEvents, StoredMessageEvent } from './events.js';
import { encryptedBefore, refreshRoomEncryption, ROOM_ATTRIBUTE } from './rooms.js';
import { NS } from './stanza.js';
import type { RosterItem } from './roster.js';

export type { AccountStateEvent, EngineEvents, StoredMessageEvent };
export { EngineError };

export interface EngineOptions {
  /** End-to-end encryption plugin (OMEMO). */
  crypto?: MessageCrypto;
  backoff?: BackoffOptions;
  catchup?: Partial<CatchupOptions>;
  /** Only these accounts (bare JIDs); default every enabled account. */
  accounts?: string[];
  /** `start()`: how often to look for accounts enabled/disabled meanwhile (ms); 0 = never. Default 2000. */
  watchAccountsMs?: number;
  /** `sync()`: give up on an account whose catch-up hasn't finished after this long (ms). Default 10 min. */
  syncTimeoutMs?: number;
  iqTimeoutMs?: number;
  /**
   * Connect with a resource of its own (the account's resource + `.` + random characters), so that
   * a short-lived connection (`ferry sync`, `ferry send`) doesn't throw out a long-running one of
   * the same account (`ferry run`, the web app), which the server would do for the same resource.
   */
  temporaryResource?: boolean;
  /**
   * Certificate authorities to trust besides the system's (PEM strings). Tests pass their
   * per-run CA here; a spawned `ferry` reads NODE_EXTRA_CA_CERTS instead.
   */
  extraCaCertificates?: readonly string[];
  /**
   * DNS servers for finding accounts' servers (SRV), as `host` or `host:port`; default
   * `FERRY_DNS_SERVER`, else the system's. A testing/advanced option (docs/chat.md).
   */
  dnsServers?: string[];
}

export interface SyncReport {
  jid: string;
  state: AccountConnectionState;
  error?: string;
  /** What the user can do about `error`. */
  hint?: string;
  /** Messages stored during the sync (new ones only; duplicates are not counted). */
  received: StoredMessageEvent[];
  caughtUp: boolean;
}

export class Engine extends EventEmitter<EngineEvents> {
  private readonly connections = new Map<string, AccountConnection>();
  private watchTimer: NodeJS.Timeout | undefined;
  private running = false;
  private readonly db: Database.Database;

  constructor(
    profile: { db: Database.Database; dir: string },
    private readonly opts: EngineOptions = {},
  ) {
    super();
    this.db = profile.db;
    ensureMessageIndexes(this.db);
  }

  private wanted(): AccountRow[] {
    const only = this.opts.accounts?.map((j) => j.toLowerCase());
    return listAccounts(this.db).filter(
      (a) => isAccountEnabled(a) && (!only || only.includes(accountJid(a).toLowerCase())),
    );
  }

  private connect(account: AccountRow, retryFirstConnect: boolean): AccountConnection {
    const conn = new AccountConnection(this.db, account, {
      ...(this.opts.crypto ? { crypto: this.opts.crypto } : {}),
      backoff: this.opts.backoff ?? DEFAULT_BACKOFF,
      retryFirstConnect,
      catchup: { ...DEFAULT_CATCHUP, ...this.opts.catchup },
      ...(this.opts.iqTimeoutMs ? { iqTimeoutMs: this.opts.iqTimeoutMs } : {}),
      ...(this.opts.extraCaCertificates
        ? { extraCaCertificates: this.opts.extraCaCertificates }
        : {}),
      ...(this.opts.dnsServers ? { dnsServers: this.opts.dnsServers } : {}),
      ...(this.opts.temporaryResource
        ? { resource: `${account.resource ?? 'ferry'}.${randomBytes(3).toString('hex')}` }
        : {}),
    });
    conn.on('state', (e) => this.emit('account-state', e));
    conn.on('message', (e) => this.emit('message', e));
    conn.on('catchup-done', (e) => this.emit('catchup-done', e));
    conn.on('subscription-request', (e) => this.emit('subscription-request', e));
    this.connections.set(conn.jid, conn);
    return conn;
  }

  /**
   * Connects every enabled account and stays online (reconnecting with backoff). Resolves once
   * each account has either come online or failed its first attempt; failures are reported
   * through 'account-state' and stored on the account, not thrown.
   */
  async start(): Promise<void> {
    this.running = true;
    await this.refresh();
    const every = this.opts.watchAccountsMs ?? 2000;
    if (every > 0) {
      this.watchTimer = setInterval(() => void this.refresh().catch(() => {}), every);
      this.watchTimer.unref();
    }
  }

  /** Brings newly enabled accounts online and takes disabled ones offline. */
  async refresh(): Promise<void> {
    if (!this.running) return;
    const wanted = new Map(this.wanted().map((a) => [accountJid(a).toLowerCase(), a]));
    const work: Promise<unknown>[] = [];
    for (const [jid, conn] of this.connections) {
      if (!wanted.has(jid)) {
        this.connections.delete(jid);
        work.push(conn.stop());
      }
    }
    for (const [jid, account] of wanted) {
      if (this.connections.has(jid)) continue;
      const conn = this.connect(account, true);
      work.push(firstOutcome(conn));
    }
    await Promise.all(work);
  }

  /**
   * Takes one account offline and, if it is still enabled, connects it again with its current
   * settings (server address, trusted certificate) — e.g. after `trust-cert` in the web app.
   */
  async reconnect(jid: string): Promise<void> {
    const key = jid.toLowerCase();
    const conn = this.connections.get(key);
    if (conn) {
      this.connections.delete(key);
      await conn.stop();
    }
    await this.refresh();
  }

  /** Takes every account offline cleanly. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.watchTimer) clearInterval(this.watchTimer);
    const all = [...this.connections.values()];
    this.connections.clear();
    await Promise.all(all.map((c) => c.stop()));
  }

  /**
   * Connects the enabled accounts (or the one named), catches up from the archives, reports what
   * arrived, and disconnects.
   */
  async sync(jid?: string): Promise<SyncReport[]> {
    let accounts: AccountRow[];
    if (jid) {
      const account = findAccountByJid(this.db, bareJid(jid));
      if (!account)
        throw new EngineError('unknown-account', `there is no account ${jid} on this device`);
      if (!isAccountEnabled(account)) {
        throw new EngineError(
          'account-disabled',
          `the account ${accountJid(account)} is disabled`,
          accountJid(account),
        );
      }
      accounts = [account];
    } else {
      accounts = this.wanted();
    }
    return Promise.all(accounts.map((a) => this.syncOne(a)));
  }

  private async syncOne(account: AccountRow): Promise<SyncReport> {
    const conn = this.connect(account, false);
    const received: StoredMessageEvent[] = [];
    conn.on('message', (e) => received.push(e));
    let caughtUp = false;
    let error: string | undefined;
    try {
      await conn.start();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error('the archive catch-up did not finish in time')),
          this.opts.syncTimeoutMs ?? 600_000,
        );
      });
      try {
        const gaveUp = conn.ended().then(() => {
          throw new Error(conn.lastError ?? `${conn.jid} went offline`);
        });
        gaveUp.catch(() => {});
        await Promise.race([conn.waitCatchupDone(), timeout, gaveUp]);
        caughtUp = true;
      } finally {
        clearTimeout(timer);
      }
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    const failedState =
      conn.state === 'login-failed' || conn.state === 'unreachable' || conn.state === 'insecure';
    await conn.stop();
    this.connections.delete(conn.jid);
    return {
      jid: conn.jid,
      state: failedState ? conn.state : caughtUp ? 'online' : conn.state,
      ...(error ? { error } : {}),
      ...(error && conn.lastHint ? { hint: conn.lastHint } : {}),
      received,
      caughtUp,
    };
  }

  /** Connection of an account that is online (or trying to be). */
  connection(jid: string): AccountConnection | undefined {
    return this.connections.get(bareJid(jid));
  }

  /** The roster of an online account (empty when offline). */
  roster(jid: string): RosterItem[] {
    return this.connection(jid)?.roster.list() ?? [];
  }

  /** Whether a contact has at least one resource online, as far as the account sees. */
  isContactOnline(accountJid: string, contactJid: string): boolean {
    return this.connection(accountJid)?.roster.isOnline(contactJid) ?? false;
  }

  /** The channel plugins use to send IQs / pubsub through an account's connection. */
  channel(jid: string): XmppChannel | undefined {
    return this.connection(jid)?.channel;
  }

  /**
   * Sends a text to a contact or a room (a group conversation of the profile) and stores it as
   * Conversations does (status unsent → sent; raised to received/displayed by receipts/markers).
   */
  async sendMessage(fromAccountJid: string, toJid: string, text: string): Promise<MessageRow> {
    const conn = this.connection(fromAccountJid);
    if (!conn || !conn.online) {
      throw new EngineError('not-connected', `${bareJid(fromAccountJid)} is not connected`);
    }
    const { conversation } = findOrCreateConversation(this.db, {
      accountUuid: conn.uuid,
      contactJid: toJid,
      mode: CONVERSATION_MODE.single,
    });
    const group = conversation.mode === CONVERSATION_MODE.group;
    const to = bareJid(toJid);
    if (group && !conn.rooms.has(to)) {
      // Rooms are joined after the catch-up of a new session; a message sent before is refused.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        conn.waitCatchupDone(),
        new Promise((resolve) => {
          timer = setTimeout(resolve, 30_000);
        }),
      ]);
      clearTimeout(timer);
      if (!conn.rooms.has(to)) {
        throw new EngineError(
          'not-joined',
          `${conn.jid} could not join the group chat ${to}`,
          conn.jid,
        );
      }
    }
    const uuid = randomUUID();
    const joined = group ? conn.rooms.get(to) : undefined;
    if (joined) {
      await refreshRoomEncryption(this.db, conn.channel, this.opts.crypto, joined, conversation);
    }
    const encrypted = this.opts.crypto?.encryptOutgoing
      ? await this.opts.crypto.encryptOutgoing(conn.channel, to, text, {
          messageId: uuid,
          group,
          ...(joined ? { room: joined.view(encryptedBefore(conversation)) } : {}),
        })
      : null;
    if (joined && encrypted) {
      // As Conversations: a room once written to encrypted stays encrypted (no silent downgrade).
      setConversationAttributes(this.db, conversation.uuid, {
        [ROOM_ATTRIBUTE.formerlyPrivateNonAnonymous]: 'true',
      });
    }
    const children: Element[] = [];
    if (encrypted) {
      children.push(...encrypted.elements);
      if (encrypted.fallbackBody !== undefined)
        children.push(xml('body', {}, encrypted.fallbackBody));
    } else {
      children.push(xml('body', {}, text));
    }
    children.push(xml('origin-id', { xmlns: NS.sid, id: uuid }));
    if (!group) children.push(xml('request', { xmlns: NS.receipts }));
    children.push(xml('markable', { xmlns: NS.markers }));
    const stanza = xml(
      'message',
      { to, type: group ? 'groupchat' : 'chat', id: uuid },
      ...children,
    );

    const room = group ? conn.rooms.get(to) : undefined;
    const nick = room?.nick ?? jidResource(conversation.contactJid);
    const row = insertMessage(this.db, {
      uuid,
      conversationUuid: conversation.uuid,
      timeSent: Date.now(),
      counterpart: group && nick ? `${to}/${nick}` : to,
      body: text,
      encryption: encrypted?.encryption ?? MESSAGE_ENCRYPTION.none,
      axolotl_fingerprint: encrypted?.fingerprint ?? null,
      status: MESSAGE_STATUS.unsent,
      read: 1,
      markable: 1,
    });
    unarchiveConversation(this.db, conversation.uuid);
    try {
      await conn.send(stanza);
    } catch (err) {
      setMessageSendFailed(this.db, uuid, err instanceof Error ? err.message : String(err));
      throw err;
    }
    setMessageSent(this.db, uuid);
    const sent = { ...row, status: MESSAGE_STATUS.sent };
    this.emit('message', {
      accountJid: conn.jid,
      conversationJid: to,
      group,
      source: 'sent',
      message: sent,
    } satisfies StoredMessageEvent);
    return sent;
  }

  /**
   * Resolves when the server has processed everything sent so far on the account (an IQ round
   * trip: servers handle a session's stanzas in order).
   */
  async flush(jid: string): Promise<void> {
    const conn = this.connection(jid);
    if (!conn) return;
    await conn.iq(
      xml(
        'iq',
        { type: 'get', to: conn.jid.split('@')[1] },
        xml('ping', { xmlns: 'urn:xmpp:ping' }),
      ),
    );
  }
}

/** Resolves when a connection came online or failed its first attempt. */
function firstOutcome(conn: AccountConnection): Promise<void> {
  return conn.start().catch((err: unknown) => {
    if (!(err instanceof ConnectError)) throw err;
  });
}
