/** The account's roster (RFC 6121) and who of its contacts is online, as the server reports them. */
import type { Element } from '@xmpp/xml';
import { bareJid, jidResource, NS } from './stanza.js';

export interface RosterItem {
  jid: string;
  name: string | null;
  /** `none`, `to`, `from` or `both`. */
  subscription: string;
  /** A subscription request we sent is waiting for the contact's answer. */
  pending: boolean;
  groups: string[];
}

function parseItem(el: Element): RosterItem | undefined {
  const jid = el.attrs.jid as string | undefined;
  if (!jid) return undefined;
  return {
    jid: bareJid(jid),
    name: (el.attrs.name as string | undefined) ?? null,
    subscription: (el.attrs.subscription as string | undefined) ?? 'none',
    pending: el.attrs.ask === 'subscribe',
    groups: el.getChildren('group').map((g) => g.getText()),
  };
}

/** Roster items and contacts' presence for one connection. */
export class Roster {
  private readonly items = new Map<string, RosterItem>();
  /** bare JID → resources currently available. */
  private readonly online = new Map<string, Set<string>>();

  /** Replaces the roster with the result of a roster get. */
  load(result: Element): void {
    this.items.clear();
    for (const el of result.getChild('query', NS.roster)?.getChildren('item') ?? []) {
      const item = parseItem(el);
      if (item) this.items.set(item.jid, item);
    }
  }

  /** Applies a roster push (`<iq type='set'><query><item …/></query></iq>`). */
  push(query: Element): void {
    for (const el of query.getChildren('item')) {
      const item = parseItem(el);
      if (!item) continue;
      if (item.subscription === 'remove') this.items.delete(item.jid);
      else this.items.set(item.jid, item);
    }
  }

  /**
   * Applies a presence; returns a subscription request's sender (bare JID) when the presence is
   * one, so the caller can tell the user.
   */
  presence(stanza: Element): string | undefined {
    const from = stanza.attrs.from as string | undefined;
    if (!from) return undefined;
    const bare = bareJid(from);
    const type = stanza.attrs.type as string | undefined;
    if (type === 'subscribe') return bare;
    if (type !== undefined && type !== 'unavailable') return undefined;
    if (stanza.getChild('x', NS.mucUser)) return undefined; // room occupants are not contacts
    const resource = jidResource(from) ?? '';
    const set = this.online.get(bare) ?? new Set<string>();
    if (type === 'unavailable') set.delete(resource);
    else set.add(resource);
    if (set.size === 0) this.online.delete(bare);
    else this.online.set(bare, set);
    return undefined;
  }

  /** Forgets presence (the connection ended: presence is only valid while online). */
  clearPresence(): void {
    this.online.clear();
  }

  list(): RosterItem[] {
    return [...this.items.values()].sort((a, b) => a.jid.localeCompare(b.jid));
  }

  isOnline(jid: string): boolean {
    return this.online.has(bareJid(jid));
  }
}
