import { EventEmitter } from 'node:events';
import type { Profile } from '../store/profile.js';
import type { MessageRow } from '../store/messages.js';
import { findAccountByJid, isAccountEnabled } from '../store/accounts.js';
import { readAccountState, type AccountConnectionState } from '../store/account-state.js';
import type { MessageCrypto } from '../xmpp/crypto-hook.js';
import {
  Engine,
  EngineError,
  type AccountStateEvent,
  type StoredMessageEvent,
} from '../xmpp/engine.js';

export type ConnectionState = AccountConnectionState;

export interface AccountConnectionView {
  state: ConnectionState;
  error?: string;
  hint?: string;
  retryAt?: number;
  fingerprint?: string;
}

export interface LiveAccountsOptions {
  /** End-to-end encryption (OMEMO) for the engine, when available. */
  crypto?: MessageCrypto;
}

/**
 * The web app's live side: the XMPP engine keeping the profile's enabled accounts online, their
 * states (for the Accounts screen) and new messages (for the Chats screen), re-emitted as
 * `account-state` ({ jid, state, error? }) and `message` ({ accountJid, conversationUuid, … })
 * events for the page's event stream.
 */
export class LiveAccounts extends EventEmitter {
  private readonly states = new Map<string, AccountConnectionView>();
  private engine: Engine | undefined;

  constructor(
    readonly profile: Profile,
    private readonly opts: LiveAccountsOptions = {},
  ) {
    super();
    this.setMaxListeners(0);
  }

  /** Connects every enabled account (in the background; states arrive as events). */
  start(): void {
    if (this.engine) return;
    const engine = new Engine(this.profile, this.opts.crypto ? { crypto: this.opts.crypto } : {});
    this.engine = engine;
    engine.on('account-state', (e: AccountStateEvent) => {
      this.states.set(e.jid.toLowerCase(), {
        state: e.state,
        ...(e.error ? { error: e.error } : {}),
        ...(e.hint ? { hint: e.hint } : {}),
        ...(e.retryAt ? { retryAt: e.retryAt } : {}),
        ...(e.fingerprint ? { fingerprint: e.fingerprint } : {}),
      });
      this.emit('account-state', e);
    });
    engine.on('message', (e: StoredMessageEvent) => {
      this.emit('message', {
        accountJid: e.accountJid,
        conversationJid: e.conversationJid,
        conversationUuid: e.message.conversationUuid,
        uuid: e.message.uuid,
        source: e.source,
      });
    });
    engine.start().catch((err: unknown) => this.emit('engine-error', err));
  }

  async stop(): Promise<void> {
    const engine = this.engine;
    this.engine = undefined;
    if (engine) await engine.stop();
  }

  /** Connects accounts that were just enabled and disconnects disabled ones (in the background). */
  async refresh(): Promise<void> {
    const engine = this.engine;
    if (!engine) return;
    for (const [jid] of this.states) {
      const row = findAccountByJid(this.profile.db, jid);
      if (!row || !isAccountEnabled(row)) this.states.delete(jid);
    }
    engine.refresh().catch((err: unknown) => this.emit('engine-error', err));
  }

  /** Connects an account again from scratch (after its server settings or trusted certificate changed). */
  async reconnect(jid: string): Promise<void> {
    this.states.delete(jid.toLowerCase());
    const engine = this.engine;
    if (!engine) return;
    engine.reconnect(jid).catch((err: unknown) => this.emit('engine-error', err));
  }

  /** Sends a text message from an account; resolves with the stored message row. */
  async sendMessage(accountJid: string, to: string, text: string): Promise<MessageRow> {
    if (!this.engine) throw new EngineError('not-connected', `${accountJid} is not connected`);
    return this.engine.sendMessage(accountJid, to, text);
  }

  /** The account's connection as last seen: live from the engine, else the stored state. */
  connection(jid: string): AccountConnectionView | undefined {
    const live = this.states.get(jid.toLowerCase());
    if (live) return live;
    const row = findAccountByJid(this.profile.db, jid);
    const stored = row ? readAccountState(this.profile.db, row.uuid) : undefined;
    if (!stored) return undefined;
    // A stored "online" is stale when no engine runs here; failures are worth showing.
    if (
      stored.state === 'login-failed' ||
      stored.state === 'unreachable' ||
      stored.state === 'insecure'
    ) {
      return {
        state: stored.state,
        ...(stored.error ? { error: stored.error } : {}),
        ...(stored.hint ? { hint: stored.hint } : {}),
        ...(stored.fingerprint ? { fingerprint: stored.fingerprint } : {}),
      };
    }
    return undefined;
  }
}
