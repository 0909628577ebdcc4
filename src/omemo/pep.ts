import { xml } from '@xmpp/client';
import type { Element, XmppChannel } from '../xmpp/crypto-hook.js';
import { parseDeviceList } from './bundle.js';
import { BUNDLES_NODE_PREFIX, DEVICELIST_NODE } from './omemo-element.js';

/** PEP (XEP-0163) requests OMEMO needs: fetch a device list or bundle, publish with access open. */
const PUBSUB = 'http://jabber.org/protocol/pubsub';

function publishOptionsOpen(): Element {
  return xml(
    'publish-options',
    {},
    xml(
      'x',
      { xmlns: 'jabber:x:data', type: 'submit' },
      xml(
        'field',
        { var: 'FORM_TYPE', type: 'hidden' },
        xml('value', {}, 'http://jabber.org/protocol/pubsub#publish-options'),
      ),
      xml('field', { var: 'pubsub#access_model' }, xml('value', {}, 'open')),
    ),
  );
}

export async function publish(channel: XmppChannel, node: string, payload: Element): Promise<void> {
  await channel.iq(
    xml(
      'iq',
      { type: 'set' },
      xml(
        'pubsub',
        { xmlns: PUBSUB },
        xml('publish', { node }, xml('item', { id: 'current' }, payload)),
        publishOptionsOpen(),
      ),
    ),
  );
}

/** The payload of the newest item of `node` at `jid`, or undefined (no node, no item, error). */
export async function fetchItem(
  channel: XmppChannel,
  jid: string,
  node: string,
): Promise<Element | undefined> {
  try {
    const result = await channel.iq(
      xml(
        'iq',
        { type: 'get', to: jid },
        xml('pubsub', { xmlns: PUBSUB }, xml('items', { node, max_items: '1' })),
      ),
    );
    const item = result.getChild('pubsub', PUBSUB)?.getChild('items')?.getChildren('item')[0];
    return item?.getChildElements()[0];
  } catch {
    return undefined;
  }
}

export async function fetchDeviceIds(channel: XmppChannel, jid: string): Promise<number[]> {
  return parseDeviceList(await fetchItem(channel, jid, DEVICELIST_NODE));
}

export function fetchBundle(channel: XmppChannel, jid: string, deviceId: number) {
  return fetchItem(channel, jid, `${BUNDLES_NODE_PREFIX}${deviceId}`);
}

/** Device ids announced in a PEP `<event>` notification of a device list, if it is one. */
export function deviceListEvent(stanza: Element): { from: string; ids: number[] } | undefined {
  const items = stanza.getChild('event', `${PUBSUB}#event`)?.getChild('items');
  if (!items || items.attrs.node !== DEVICELIST_NODE) return undefined;
  const from = (stanza.attrs.from as string | undefined)?.split('/')[0];
  if (!from) return undefined;
  const item = items.getChildren('item')[0];
  return { from, ids: parseDeviceList(item?.getChildElements()[0]) };
}
