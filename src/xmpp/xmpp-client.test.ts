import { test } from 'node:test';
import assert from 'node:assert/strict';
import { xml } from '@xmpp/client';
import type { Element } from '@xmpp/xml';
import { createXmppClient } from './xmpp-client.js';

test('an IQ error reply that arrives before send() has resolved rejects the request, handled', async (t) => {
  const x = createXmppClient({ domain: 'ferry.test', username: 'alice', password: 'pw' });
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  t.after(() => process.off('unhandledRejection', onUnhandled));
  // The server answers at once, while the socket write is still pending (as over TLS).
  (x as unknown as { send(s: Element): Promise<void> }).send = async (stanza: Element) => {
    x.emit(
      'element',
      xml(
        'iq',
        { type: 'error', id: stanza.attrs.id as string },
        xml(
          'error',
          { type: 'cancel' },
          xml('item-not-found', { xmlns: 'urn:ietf:params:xml:ns:xmpp-stanzas' }),
        ),
      ),
    );
    await new Promise((r) => setTimeout(r, 30)); // several turns of the event loop
  };
  for (let i = 0; i < 5; i++) {
    await assert.rejects(
      x.iqCaller.request(
        xml('iq', { type: 'get' }, xml('list', { xmlns: 'eu.siacs.conversations.axolotl' })),
      ),
      (err: Error) =>
        err.name === 'StanzaError' &&
        /item-not-found/.test(String((err as { condition?: string }).condition)),
    );
  }
  assert.deepEqual(unhandled, []);
  assert.equal((x.iqCaller as unknown as { handlers: Map<string, unknown> }).handlers.size, 0);
});

test('an IQ nobody answers times out, and a late reply after that changes nothing', async () => {
  const x = createXmppClient({ domain: 'ferry.test', username: 'alice', password: 'pw' });
  let id = '';
  (x as unknown as { send(s: Element): Promise<void> }).send = async (stanza: Element) => {
    id = String(stanza.attrs.id);
  };
  await assert.rejects(x.iqCaller.request(xml('iq', { type: 'get' }), 50), {
    name: 'TimeoutError',
  });
  x.emit('element', xml('iq', { type: 'result', id }));
  await new Promise((r) => setTimeout(r, 20));
});
