/**
 * A plain xmpp.js client standing in for the other person in tests ("contact B"): connects to a
 * test Prosody, sends chat/group messages, and collects what it receives.
 */
import { xml, type Client } from '@xmpp/client';
import { createXmppClient } from '../xmpp-client.js';
import type { Element } from '@xmpp/xml';
import type { ProsodyServer } from './prosody.js';

export interface TestContact {
  jid: string;
  xmpp: Client;
  /** Every `<message>` with a body received so far. */
  received: { from: string; body: string; id: string | undefined; type: string }[];
  /** Sends a chat message; returns its id. */
  say(to: string, body: string, opts?: { id?: string; receipt?: boolean }): Promise<string>;
  /** Joins a room with a nickname (room is created if new) and waits for our presence. */
  join(room: string, nick: string): Promise<void>;
  /** Sends a group message to a joined room; returns its id. */
  sayInRoom(room: string, body: string): Promise<string>;
  /** Waits until `count` messages matching `match` were received. */
  waitForMessages(
    count: number,
    match?: (m: TestContact['received'][number]) => boolean,
    timeoutMs?: number,
  ): Promise<TestContact['received']>;
  stop(): Promise<void>;
}

let counter = 0;

/**
 * Connects contact `user` to the test server (plaintext when the server has no TLS; with TLS,
 * trusting `trust.ca`, the server's test CA).
 */
export async function connectContact(
  server: ProsodyServer,
  user: string,
  password: string,
  resource = 'test',
  trust: { ca?: string } = {},
): Promise<TestContact> {
  const xmpp = createXmppClient({
    domain: server.domain,
    username: user,
    password,
    resource,
    allowPlaintextLoopback: !server.tls,
    ...(trust.ca ? { extraCaCertificates: [trust.ca] } : {}),
  });
  xmpp.on('error', () => {});
  const received: TestContact['received'] = [];
  const waiters = new Set<() => void>();
  const presenceWaiters = new Set<(p: Element) => void>();
  xmpp.on('stanza', (stanza: Element) => {
    if (stanza.is('presence')) for (const w of presenceWaiters) w(stanza);
    if (!stanza.is('message')) return;
    const body = stanza.getChildText('body');
    if (body === null) return;
    received.push({
      from: String(stanza.attrs.from),
      body,
      id: stanza.attrs.id as string | undefined,
      type: String(stanza.attrs.type ?? 'normal'),
    });
    for (const w of waiters) w();
  });
  const online = new Promise((resolve, reject) => {
    xmpp.once('online', resolve);
    xmpp.once('error', reject);
  });
  await xmpp.connect(server.service);
  await xmpp.open({ domain: server.domain });
  await online;
  // xmpp.js reports 'online' before it enabled stream management; sending before that makes its
  // stanza counter go wrong and the server drop the stream. Wait until it is enabled.
  const sm = xmpp.streamManagement as unknown as { enabled: boolean };
  for (let i = 0; i < 500 && !sm.enabled; i++) await new Promise((r) => setTimeout(r, 5));
  await xmpp.send(xml('presence'));
  const jid = `${user}@${server.domain}`;
  return {
    jid,
    xmpp,
    received,
    async say(to, body, opts = {}) {
      const id = opts.id ?? `c${process.pid}-${++counter}`;
      const children = [xml('body', {}, body)];
      if (opts.receipt) children.push(xml('request', { xmlns: 'urn:xmpp:receipts' }));
      await xmpp.send(xml('message', { to, type: 'chat', id }, ...children));
      return id;
    },
    async join(room, nick) {
      const full = `${room}/${nick}`;
      const joined = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`join ${room} timed out`)), 10_000);
        const w = (p: Element) => {
          if (p.attrs.from !== full) return;
          clearTimeout(timer);
          presenceWaiters.delete(w);
          resolve();
        };
        presenceWaiters.add(w);
      });
      await xmpp.send(
        xml(
          'presence',
          { to: full },
          xml(
            'x',
            { xmlns: 'http://jabber.org/protocol/muc' },
            xml('history', { maxstanzas: '0' }),
          ),
        ),
      );
      await joined;
    },
    async sayInRoom(room, body) {
      const id = `g${process.pid}-${++counter}`;
      await xmpp.send(xml('message', { to: room, type: 'groupchat', id }, xml('body', {}, body)));
      return id;
    },
    waitForMessages(count, match = () => true, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const got = received.filter(match);
          if (got.length >= count) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve(got);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`expected ${count} messages, got ${received.filter(match).length}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async stop() {
      await xmpp.stop().catch(() => {});
    },
  };
}

/** Polls `cond` every 20 ms until it holds or `timeoutMs` passes. */
export async function waitUntil(
  cond: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
