/**
 * Where ferry works around xmpp.js — all of it in this one file, written for xmpp.js
 * {@link XMPPJS_VERSION}. Each workaround reaches past xmpp.js' documented API, so
 * ./xmppjs-compat.test.ts fails as soon as another version is installed: on an upgrade, look at
 * each one again (still needed? still right?), then change the version here.
 *
 * 1. {@link safeIqRequest}: 0.14's `IQCaller.request` leaves the rejection of an error reply
 *    unhandled when the reply arrives before `send()` has resolved, and the process exits
 *    (issue 13). Replaced by a request using the same pending-IQ map.
 * 2. {@link failPendingIqs}: IQs sent on a session that ended are never answered, but 0.14 keeps
 *    them waiting for their timeout (30 s). They are rejected at once; this reaches into
 *    `iqCaller.handlers`.
 * 3. {@link streamManagementSettled}: 0.14 announces 'online' right after resource binding and
 *    only then sends `<enable/>` (XEP-0198). What the server sends in between is counted, then
 *    the counter is reset when `<enabled/>` arrives, and the server later closes the stream
 *    ("acknowledged less stanzas than already acknowledged"). Nothing is sent until the server
 *    has answered `<enable/>`.
 * 4. {@link streamManagementEvents}: its stream management object emits 'resumed', but the types
 *    don't say it is an emitter.
 * 5. {@link clientSocket}: the client's socket is not in its types; ferry lets a failed one close
 *    before connecting the same client to the server's next endpoint.
 */
import { randomBytes } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import type { Client } from '@xmpp/client';
import { TimeoutError } from '@xmpp/events';
import type { Element } from '@xmpp/xml';

/** The xmpp.js version (every `@xmpp/*` package ferry uses) these workarounds were written for. */
export const XMPPJS_VERSION = '0.14.0';

const NS_SM = 'urn:xmpp:sm:3';

/** One IQ waiting for its answer, as xmpp.js' `IQCaller` keeps it (a Deferred) in `handlers`. */
export interface PendingIq {
  promise: Promise<Element>;
  resolve(el: Element): void;
  reject(err: Error): void;
}

/** xmpp.js' IQCaller, as far as the workarounds use it. */
interface IqCallerInternals {
  handlers: Map<string, PendingIq>;
  request(stanza: Element, timeoutMs?: number): Promise<Element>;
}

function iqCallerOf(iqCaller: unknown): IqCallerInternals {
  return iqCaller as IqCallerInternals;
}

/**
 * An `IQCaller.request` whose outcome is always handled, even when the reply arrives before
 * `send()` has resolved. Install it with `iqCaller.request = safeIqRequest(entity, iqCaller)`.
 */
export function safeIqRequest(
  entity: Pick<Client, 'send'>,
  iqCaller: unknown,
): (stanza: Element, timeoutMs?: number) => Promise<Element> {
  const handlers = iqCallerOf(iqCaller).handlers;
  return async (stanza: Element, timeoutMs = 30_000): Promise<Element> => {
    if (!stanza.attrs.id) stanza.attrs.id = randomBytes(6).toString('hex');
    const id = String(stanza.attrs.id);
    const pending = {} as PendingIq;
    pending.promise = new Promise<Element>((resolve, reject) => {
      pending.resolve = resolve;
      pending.reject = reject;
    });
    // A reply can settle it before anyone awaits it (even before send() resolves): handled now.
    pending.promise.catch(() => {});
    handlers.set(id, pending);
    let timer: NodeJS.Timeout | undefined;
    try {
      await entity.send(stanza);
      return await new Promise<Element>((resolve, reject) => {
        timer = setTimeout(() => reject(new TimeoutError()), timeoutMs);
        pending.promise.then(resolve, reject);
      });
    } finally {
      clearTimeout(timer);
      if (handlers.get(id) === pending) handlers.delete(id);
    }
  };
}

/** Rejects every IQ still waiting for an answer on this client. */
export function failPendingIqs(x: Client, reason: string): void {
  const handlers = iqCallerOf(x.iqCaller).handlers;
  for (const pending of handlers.values()) pending.reject(new Error(reason));
  handlers.clear();
}

/**
 * Resolves once xmpp.js has stream management enabled after 'online' — the server answered
 * `<enable/>` (`<enabled/>` or `<failed/>`) — or the stream ended, or after `timeoutMs`.
 * Call it only when the server offered stream management on this stream.
 */
export function streamManagementSettled(x: Client, timeoutMs = 5000): Promise<void> {
  const sm = x.streamManagement as unknown as { enabled: boolean };
  if (sm.enabled) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      x.off('nonza', onNonza);
      x.off('disconnect', done);
      resolve();
    };
    const onNonza = (el: Element) => {
      // xmpp.js takes the answer in its own 'nonza' listener and sets `enabled` a few
      // microtasks later: settle after those.
      if (el.is('enabled', NS_SM) || el.is('failed', NS_SM)) setImmediate(done);
    };
    const timer = setTimeout(done, timeoutMs);
    timer.unref();
    x.on('nonza', onNonza);
    x.on('disconnect', done);
  });
}

/** The client's stream management, as the emitter of 'resumed' it is. */
export function streamManagementEvents(x: Client): EventEmitter {
  return x.streamManagement as unknown as EventEmitter;
}

/** The client's current socket, if any. */
export function clientSocket(x: Client): EventEmitter | null {
  return (x as unknown as { socket: EventEmitter | null }).socket;
}
