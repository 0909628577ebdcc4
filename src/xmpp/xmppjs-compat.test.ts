// The xmpp.js workarounds of ./xmppjs-compat.ts, against the installed xmpp.js (ferry's own
// client assembly from ./xmpp-client.ts), without a server: what the server would send is fed
// to the client as its parser would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { xml, type Client } from '@xmpp/client';
import type { Element } from '@xmpp/xml';
import { createXmppClient } from './xmpp-client.js';
import {
  clientSocket,
  failPendingIqs,
  streamManagementEvents,
  streamManagementSettled,
  XMPPJS_VERSION,
} from './xmppjs-compat.js';

/** Every xmpp.js package ferry's client is built from (see ./xmpp-client.ts). */
const PACKAGES = [
  'client',
  'client-core',
  'connection',
  'connection-tcp',
  'middleware',
  'stream-features',
  'iq',
  'resource-binding',
  'stream-management',
  'events',
  'xml',
  'jid',
];

test(`the installed xmpp.js is the version the workarounds were written for (${XMPPJS_VERSION})`, () => {
  const require = createRequire(import.meta.url);
  const versions = Object.fromEntries(
    PACKAGES.map((p) => [p, (require(`@xmpp/${p}/package.json`) as { version: string }).version]),
  );
  const others = Object.entries(versions).filter(([, v]) => v !== XMPPJS_VERSION);
  assert.deepEqual(
    others,
    [],
    `xmpp.js changed: check each workaround in src/xmpp/xmppjs-compat.ts against the new version, ` +
      `then set XMPPJS_VERSION (${JSON.stringify(versions)})`,
  );
});

interface Harness {
  x: Client;
  sent: Element[];
  errors: unknown[];
  /** Feeds an element to the client as if the server had sent it. */
  receive(el: Element): void;
  /** Called on every stanza the client sends (after it is recorded). */
  onSend?: (el: Element) => void;
}

/** ferry's client with a fake, already encrypted transport: what it sends is recorded. */
function harness(): Harness {
  const x = createXmppClient({ domain: 'example.org', username: 'alice', password: 'secret' });
  const h: Harness = {
    x,
    sent: [],
    errors: [],
    receive: (el) => (x as unknown as { _onElement(el: Element): void })._onElement(el),
  };
  const entity = x as unknown as {
    socket: unknown;
    send(el: Element): Promise<void>;
  };
  entity.socket = { secure: true }; // what a TLS socket says; nothing is written to it
  entity.send = async (el: Element) => {
    h.sent.push(el);
    h.onSend?.(el);
    // As a socket write: done a little later (a fast server's reply may come before).
    await new Promise((r) => setImmediate(r));
  };
  x.on('error', (err: unknown) => h.errors.push(err));
  return h;
}

const pingIq = () =>
  xml('iq', { type: 'get', to: 'example.org' }, xml('ping', { xmlns: 'urn:xmpp:ping' }));

test('safeIqRequest: an error reply arriving before send() resolved is the request’s rejection, never unhandled', async () => {
  const h = harness();
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    // The server answers while send() is still pending (as a fast server on loopback does).
    h.onSend = (el) =>
      h.receive(
        xml(
          'iq',
          { type: 'error', id: el.attrs.id as string, from: 'example.org' },
          xml(
            'error',
            { type: 'cancel' },
            xml('item-not-found', { xmlns: 'urn:ietf:params:xml:ns:xmpp-stanzas' }),
          ),
        ),
      );
    await assert.rejects(h.x.iqCaller.request(pingIq()), (err: { condition?: string }) => {
      assert.equal(err.condition, 'item-not-found');
      return true;
    });
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
  // A result reply resolves it.
  h.onSend = (el) =>
    h.receive(xml('iq', { type: 'result', id: el.attrs.id as string, from: 'example.org' }));
  const reply = await h.x.iqCaller.request(pingIq());
  assert.equal(reply.attrs.type, 'result');
});

test('failPendingIqs: IQs of a session that ended are rejected at once, with the reason', async () => {
  const h = harness();
  const first = h.x.iqCaller.request(pingIq(), 60_000);
  const second = h.x.iqCaller.request(pingIq(), 60_000);
  await new Promise((r) => setImmediate(r));
  assert.equal(h.sent.length, 2, 'both sent, neither answered');
  failPendingIqs(h.x, 'the connection was lost');
  await assert.rejects(first, /the connection was lost/);
  await assert.rejects(second, /the connection was lost/);
  // A late answer to one of them changes nothing (and throws nothing).
  h.receive(xml('iq', { type: 'result', id: h.sent[0]!.attrs.id as string, from: 'example.org' }));
  assert.deepEqual(h.errors, []);
});

test('streamManagementSettled: after "online", waits for the server’s answer to <enable/>', async () => {
  const h = harness();
  const SM = 'urn:xmpp:sm:3';
  const sm = h.x.streamManagement as unknown as { enabled: boolean };
  // Resource binding is answered at once; the <enable/> that follows is left unanswered for now.
  h.onSend = (el) => {
    if (el.is('iq') && el.getChild('bind', 'urn:ietf:params:xml:ns:xmpp-bind')) {
      h.receive(
        xml(
          'iq',
          { type: 'result', id: el.attrs.id as string },
          xml(
            'bind',
            { xmlns: 'urn:ietf:params:xml:ns:xmpp-bind' },
            xml('jid', {}, 'alice@example.org/ferry'),
          ),
        ),
      );
    }
  };
  let settled: Promise<void> | undefined;
  let enabledAtOnline: boolean | undefined;
  const online = new Promise<void>((resolve) =>
    h.x.once('online', () => {
      // What AccountConnection does on 'online' (a new session).
      enabledAtOnline = sm.enabled;
      settled = streamManagementSettled(h.x, 60_000);
      resolve();
    }),
  );
  h.receive(
    xml(
      'stream:features',
      { 'xmlns:stream': 'http://etherx.jabber.org/streams' },
      xml('bind', { xmlns: 'urn:ietf:params:xml:ns:xmpp-bind' }),
      xml('sm', { xmlns: SM }),
    ),
  );
  await online;
  assert.equal(enabledAtOnline, false, 'xmpp.js is online before stream management is enabled');
  await new Promise((r) => setImmediate(r));
  assert.ok(
    h.sent.some((el) => el.is('enable', SM)),
    'xmpp.js sends <enable/> after "online"',
  );
  let done = false;
  void settled!.then(() => (done = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(done, false, 'not settled before the server answered');
  h.receive(xml('enabled', { xmlns: SM, id: 'sm-1', resume: 'true' }));
  await settled;
  assert.equal(sm.enabled, true, 'settled once xmpp.js has enabled stream management');
  assert.deepEqual(h.errors, []);
  // Already enabled: settled at once.
  await streamManagementSettled(h.x, 60_000);
  h.x.emit('disconnect', { clean: true }); // stops stream management's ack timers
});

test('streamManagementSettled: a stream that ends meanwhile settles it too', async () => {
  const h = harness();
  const settled = streamManagementSettled(h.x, 60_000);
  h.x.emit('disconnect', { clean: true });
  await settled;
});

test('streamManagementEvents and clientSocket reach what the types hide', () => {
  const h = harness();
  let resumed = 0;
  streamManagementEvents(h.x).on('resumed', () => resumed++);
  (h.x.streamManagement as unknown as { emit(e: string): void }).emit('resumed');
  assert.equal(resumed, 1);
  assert.deepEqual(clientSocket(h.x), { secure: true });
});
