/**
 * Whether another connection holds an account's resource right now, asked over a second,
 * short-lived connection with a resource of its own: an XEP-0199 ping to the full JID. A client
 * there answers; for a resource nobody holds the server answers with an error (RFC 6121 §8.5.3.1).
 *
 * Why ferry asks: a server that replaces a session (another client bound the same resource)
 * tells the old one with a `<conflict/>` stream error, and ferry then stops instead of fighting
 * back. But Prosody 0.12 can lose that error: when the old client's data (a stream-management
 * `<a/>`, an IQ) arrives while the server closes the stream, its epoll backend reads it after
 * `close()`, takes the empty read for a "connection timeout" and destroys the socket with the
 * error and `</stream:stream>` still unsent in its write buffer. The old client only sees the
 * TCP connection end, as after a server restart. Reconnecting on the same resource would then
 * throw the newer client out — so after such a silent end, ferry asks first.
 */
import { randomBytes } from 'node:crypto';
import { xml, type Client } from '@xmpp/client';

export interface ResourceProbeOptions {
  /** The account's full JID (bare JID / resource) to look for. */
  fullJid: string;
  /** Opens an online session with the given (throwaway) resource; rejects if it can't. */
  openSession(resource: string): Promise<Client>;
  /** How long the ping may take; default 10 s. */
  timeoutMs?: number;
}

/**
 * True when a client answers on `fullJid`; false when nobody does, or when the question can't be
 * asked (server unreachable, login refused): then reconnecting as usual is the right thing.
 */
export async function resourceHeldElsewhere(opts: ResourceProbeOptions): Promise<boolean> {
  let x: Client | undefined;
  try {
    x = await opts.openSession(`ferry-probe-${randomBytes(4).toString('hex')}`);
    await x.iqCaller.request(
      xml('iq', { type: 'get', to: opts.fullJid }, xml('ping', { xmlns: 'urn:xmpp:ping' })),
      opts.timeoutMs ?? 10_000,
    );
    return true;
  } catch {
    return false;
  } finally {
    if (x) {
      const probe = x;
      await probe.stop().catch(() => {});
      probe.removeAllListeners();
      probe.on('error', () => {});
    }
  }
}
