/** One page of a message archive query (XEP-0313 MAM v2 with XEP-0059 result set paging). */
import { randomUUID } from 'node:crypto';
import { xml } from '@xmpp/client';
import type { Element } from '@xmpp/xml';
import { NS } from './stanza.js';

export interface ArchiveItem {
  /** The archive id (equal to the live stanza-id). */
  archiveId: string;
  /** The archived `<message>`. */
  message: Element;
  /** The archive's timestamp of the message (ms). */
  stamp: number | undefined;
}

export interface ArchivePage {
  items: ArchiveItem[];
  /** The server says there is nothing more in the direction of the query. */
  complete: boolean;
  /** RSM first/last ids of the page. */
  first: string | undefined;
  last: string | undefined;
}

/** How the query reaches the server: the account connection provides both. */
export interface ArchiveTransport {
  iq(request: Element, timeoutMs?: number): Promise<Element>;
  /** Routes the `<result queryid=…>` messages of one query to `onItem` until the returned function is called. */
  collect(
    queryId: string,
    archiveJid: string | undefined,
    onItem: (item: ArchiveItem) => void,
  ): () => void;
}

export interface ArchiveQuery {
  /** The room for a group chat archive; undefined for the account's own archive. */
  archiveJid?: string;
  /** Page forward from this archive id. */
  after?: string;
  /** Page backward: `true` for the newest page, or from this archive id. */
  before?: string | true;
  /** Only messages at or after this time (ms). */
  start?: number;
  max: number;
}

function field(name: string, value: string): Element {
  return xml('field', { var: name }, xml('value', {}, value));
}

export function buildArchiveQuery(queryId: string, q: ArchiveQuery): Element {
  const fields: Element[] = [
    xml('field', { var: 'FORM_TYPE', type: 'hidden' }, xml('value', {}, NS.mam)),
  ];
  if (q.start !== undefined) fields.push(field('start', new Date(q.start).toISOString()));
  const set: Element[] = [xml('max', {}, String(q.max))];
  if (q.after !== undefined) set.push(xml('after', {}, q.after));
  if (q.before === true) set.push(xml('before'));
  else if (q.before !== undefined) set.push(xml('before', {}, q.before));
  return xml(
    'iq',
    { type: 'set', ...(q.archiveJid ? { to: q.archiveJid } : {}) },
    xml(
      'query',
      { xmlns: NS.mam, queryid: queryId },
      xml('x', { xmlns: NS.dataForm, type: 'submit' }, ...fields),
      xml('set', { xmlns: NS.rsm }, ...set),
    ),
  );
}

/** Runs one query and returns its page, items in the archive's (chronological) order. */
export async function fetchArchivePage(
  transport: ArchiveTransport,
  q: ArchiveQuery,
  timeoutMs = 60_000,
): Promise<ArchivePage> {
  const queryId = randomUUID();
  const items: ArchiveItem[] = [];
  const release = transport.collect(queryId, q.archiveJid, (item) => items.push(item));
  try {
    const result = await transport.iq(buildArchiveQuery(queryId, q), timeoutMs);
    const fin = result.getChild('fin', NS.mam);
    const set = fin?.getChild('set', NS.rsm);
    return {
      items,
      complete: fin?.attrs.complete === 'true' || fin?.attrs.complete === '1',
      first: set?.getChildText('first') ?? undefined,
      last: set?.getChildText('last') ?? undefined,
    };
  } finally {
    release();
  }
}

/** Whether an IQ error from a query means "the archive doesn't know the id you paged from". */
export function isItemNotFound(err: unknown): boolean {
  return (
    typeof err === 'object' &&
    err !== null &&
    'condition' in err &&
    (err as { condition: unknown }).condition === 'item-not-found'
  );
}
