import { startProsody } from '../src/xmpp/testing/prosody.js';
import { client, xml } from '@xmpp/client';
const server = await startProsody();
await server.register('carol', 'pw-carol');
await server.register('alice', 'pw-alice');
const c = client({ service: server.service, domain: server.domain, username: 'carol', password: 'pw-carol' });
c.on('error', () => {});
await c.start();
await c.iqCaller.request(xml('iq', { type: 'set' }, xml('pubsub', { xmlns: 'http://jabber.org/protocol/pubsub' },
  xml('publish', { node: 'eu.siacs.conversations.axolotl.devicelist' }, xml('item', { id: 'current' }, xml('list', { xmlns: 'eu.siacs.conversations.axolotl' }))),
  xml('publish-options', {}, xml('x', { xmlns: 'jabber:x:data', type: 'submit' }, xml('field', { var: 'FORM_TYPE', type: 'hidden' }, xml('value', {}, 'http://jabber.org/protocol/pubsub#publish-options')), xml('field', { var: 'pubsub#access_model' }, xml('value', {}, 'open')))))));
await c.stop();
console.log(JSON.stringify({ port: server.port, domain: server.domain, dir: server.dir }));
setInterval(() => {}, 1000);
process.on('SIGTERM', async () => { await server.stop(); process.exit(0); });
