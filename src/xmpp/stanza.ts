/** Reading message stanzas: namespaces and small helpers that pull out what the engine stores. */
import type { Element } from '@xmpp/xml';
import { bareJid, jidResource } from '../store/conversations.js';

export const NS = {
  carbons: 'urn:xmpp:carbons:2',
  forward: 'urn:xmpp:forward:0',
  delay: 'urn:xmpp:delay',
  mam: 'urn:xmpp:mam:2',
  rsm: 'http://jabber.org/protocol/rsm',
  dataForm: 'jabber:x:data',
  sid: 'urn:xmpp:sid:0',
  receipts: 'urn:xmpp:receipts',
  markers: 'urn:xmpp:chat-markers:0',
  muc: 'http://jabber.org/protocol/muc',
  mucUser: 'http://jabber.org/protocol/muc#user',
  roster: 'jabber:iq:roster',
  occupantId: 'urn:xmpp:occupant-id:0',
  hints: 'urn:xmpp:hints',
  stanzas: 'urn:ietf:params:xml:ns:xmpp-stanzas',
  sm: 'urn:xmpp:sm:3',
} as const;

export { bareJid, jidResource };

/** Milliseconds of a XEP-0082 timestamp, or undefined if absent/invalid. */
export function parseStamp(stamp: string | undefined): number | undefined {
  if (!stamp) return undefined;
  const t = Date.parse(stamp);
  return Number.isNaN(t) ? undefined : t;
}

/** The XEP-0203 delay stamp of an element (`<delay xmlns='urn:xmpp:delay' stamp=…/>`). */
export function delayOf(el: Element): number | undefined {
  return parseStamp(el.getChild('delay', NS.delay)?.attrs.stamp as string | undefined);
}

/** The XEP-0359 stanza-id assigned by `by` (the account's bare JID or the room), if present. */
export function stanzaIdBy(message: Element, by: string): string | undefined {
  const want = by.toLowerCase();
  for (const el of message.getChildren('stanza-id', NS.sid)) {
    const elBy = (el.attrs.by as string | undefined)?.toLowerCase();
    const id = el.attrs.id as string | undefined;
    if (elBy === want && id) return id;
  }
  return undefined;
}

/** The sender's `id` for dedup: the origin-id (XEP-0359) when present, else the `id` attribute. */
export function messageIdOf(message: Element): string | undefined {
  const origin = message.getChild('origin-id', NS.sid)?.attrs.id as string | undefined;
  return origin ?? (message.attrs.id as string | undefined) ?? undefined;
}

/** The carbon copy inside a message from the account itself, if it is one. */
export function unwrapCarbon(
  outer: Element,
  ownBareJid: string,
): { message: Element; direction: 'incoming' | 'outgoing' } | undefined {
  for (const [name, direction] of [
    ['received', 'incoming'],
    ['sent', 'outgoing'],
  ] as const) {
    const wrapper = outer.getChild(name, NS.carbons);
    if (!wrapper) continue;
    const from = outer.attrs.from as string | undefined;
    // Only the account's own server may send carbons (XEP-0280 security considerations).
    if (from !== undefined && bareJid(from) !== ownBareJid.toLowerCase()) return undefined;
    const inner = wrapper.getChild('forwarded', NS.forward)?.getChild('message');
    if (!inner) return undefined;
    return { message: inner, direction };
  }
  return undefined;
}

/** An archive result (`<result xmlns='urn:xmpp:mam:2' queryid id>`) inside a message, if it is one. */
export function unwrapArchiveResult(
  outer: Element,
): { queryId: string; archiveId: string; message: Element; stamp: number | undefined } | undefined {
  const result = outer.getChild('result', NS.mam);
  if (!result) return undefined;
  const forwarded = result.getChild('forwarded', NS.forward);
  const message = forwarded?.getChild('message');
  const archiveId = result.attrs.id as string | undefined;
  if (!forwarded || !message || !archiveId) return undefined;
  return {
    queryId: (result.attrs.queryid as string | undefined) ?? '',
    archiveId,
    message,
    stamp: delayOf(forwarded),
  };
}

/** The text of an XMPP error element, for `messages.errorMsg` and user messages. */
export function errorText(stanza: Element): string {
  const error = stanza.getChild('error');
  if (!error) return 'error';
  const text = error.getChildText('text', NS.stanzas);
  const condition = error.children.find(
    (c): c is Element => typeof c !== 'string' && c.attrs.xmlns === NS.stanzas && c.name !== 'text',
  );
  return text ?? condition?.name ?? 'error';
}
