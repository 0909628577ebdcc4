/**
 * The events of {@link AccountConnection} and {@link Engine}, as typed maps for Node's
 * `EventEmitter<Events>`: `engine.on('account-state', (e) => …)` knows `e` is an
 * {@link AccountStateEvent}, and emitting the wrong payload fails the typecheck.
 */
import type { AccountConnectionState } from '../store/account-state.js';
import type { StoredMessageEvent } from './message-intake.js';

/** An account's connection state changed (also stored on the account). */
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

/** A session of the account finished catching up with the archives (its own and its rooms'). */
export interface CatchupDoneEvent {
  jid: string;
}

/** A contact asks to see the account's presence. */
export interface SubscriptionRequestEvent {
  /** The account. */
  jid: string;
  /** The contact's bare JID. */
  from: string;
}

/** What an {@link AccountConnection} emits. */
export type AccountConnectionEvents = {
  state: [AccountStateEvent];
  /** A message was stored (the `messages` row plus where it came from). */
  message: [StoredMessageEvent];
  'catchup-done': [CatchupDoneEvent];
  'subscription-request': [SubscriptionRequestEvent];
};

/** What the {@link Engine} emits: its connections' events, for every account. */
export type EngineEvents = {
  'account-state': [AccountStateEvent];
  /** A message was stored: received (live, carbon, archive) or sent by the engine. */
  message: [StoredMessageEvent];
  'catchup-done': [CatchupDoneEvent];
  'subscription-request': [SubscriptionRequestEvent];
};

export type { StoredMessageEvent };
