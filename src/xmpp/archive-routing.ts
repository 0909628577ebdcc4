/**
 * Archive routing: the `<message><result queryid=…/></message>` stanzas of a message archive
 * query (XEP-0313) go to the query that asked for them, and only from the archive asked (the
 * account's own, or a room's); they are never taken for live messages. Everything else is not
 * an archive result and is left to the caller.
 */
import type { Element } from '@xmpp/xml';
import type { ArchiveItem, ArchiveTransport } from './archive-query.js';
import { bareJid, unwrapArchiveResult } from './stanza.js';

interface Collector {
  /** The room's JID, or undefined for the account's own archive. */
  archiveJid: string | undefined;
  onItem: (item: ArchiveItem) => void;
}

export class ArchiveRouter {
  private readonly collectors = new Map<string, Collector>();
  /** The archive transport for catch-up queries: IQs over the connection, results routed here. */
  readonly transport: ArchiveTransport;

  constructor(
    /** The account's bare JID (lower case): where results of its own archive come from. */
    private readonly accountJid: string,
    iq: ArchiveTransport['iq'],
  ) {
    this.transport = {
      iq,
      collect: (queryId, archiveJid, onItem) => {
        this.collectors.set(queryId, { archiveJid, onItem });
        return () => this.collectors.delete(queryId);
      },
    };
  }

  /**
   * Routes an incoming stanza if it is an archive result: true when it was one (given to its
   * query, or dropped as nobody's or from the wrong sender), false for anything else.
   */
  route(stanza: Element): boolean {
    if (!stanza.is('message')) return false;
    const result = unwrapArchiveResult(stanza);
    if (!result) return false;
    const collector = this.collectors.get(result.queryId);
    const from = stanza.attrs.from as string | undefined;
    if (!collector) return true;
    const expected = collector.archiveJid ?? this.accountJid;
    if (from !== undefined && bareJid(from) !== expected.toLowerCase()) return true;
    collector.onItem({ archiveId: result.archiveId, message: result.message, stamp: result.stamp });
    return true;
  }
}
