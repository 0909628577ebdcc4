import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { client, xml } from '@xmpp/client';
import { startProsody } from './prosody.js';

test('the Prosody harness serves logins, messages and MUC, and cleans up', async (t) => {
  const server = await startProsody({ muc: true });
  t.after(() => server.stop());
  await server.register('alice', 'pw-a');
  await server.register('bob', 'pw-b');

  const connect = async (user: string, password: string) => {
    const c = client({ service: server.service, domain: server.domain, username: user, password });
    c.on('error', () => {});
    await c.start();
    return c;
  };
  const alice = await connect('alice', 'pw-a');
  const bob = await connect('bob', 'pw-b');
  t.after(async () => {
    await alice.stop();
    await bob.stop();
  });

  const got = new Promise<string>((resolve) => {
    bob.on('stanza', (s) => {
      if (s.is('message')) resolve(s.getChildText('body') ?? '');
    });
  });
  await bob.send(xml('presence'));
  await alice.send(
    xml('message', { to: `bob@${server.domain}`, type: 'chat' }, xml('body', {}, 'hi')),
  );
  assert.equal(await got, 'hi');

  const disco = await alice.iqCaller.request(
    xml(
      'iq',
      { type: 'get', to: server.mucDomain },
      xml('query', { xmlns: 'http://jabber.org/protocol/disco#info' }),
    ),
  );
  assert.ok(
    disco
      .getChild('query')
      ?.getChildren('feature')
      .some((f: { attrs: Record<string, unknown> }) => f.attrs.var === 'urn:xmpp:mam:2'),
    'the MUC service archives rooms',
  );

  const wrong = client({
    service: server.service,
    domain: server.domain,
    username: 'alice',
    password: 'nope',
  });
  wrong.on('error', () => {});
  await assert.rejects(wrong.start());
  await wrong.stop().catch(() => {});

  await server.restart();
  const again = await connect('alice', 'pw-a');
  await again.stop();

  const dir = server.dir;
  await server.stop();
  assert.equal(existsSync(dir), false);
});
