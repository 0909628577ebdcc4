/**
 * Finding an account's server as Conversations does: the account's `hostname`/`port` when set
 * (direct TLS on 5223 and 443, STARTTLS otherwise); else DNS SRV `_xmpps-client._tcp` (direct TLS,
 * XEP-0368) and `_xmpp-client._tcp` (STARTTLS), ordered by priority, direct TLS first among equals,
 * then by weight; else the domain itself on 5222.
 *
 * The DNS servers are the system's, unless `FERRY_DNS_SERVER` (or the engine's `dnsServers`) names
 * others, e.g. `127.0.0.1:5353`: a testing/advanced option (docs/chat.md), used by the tests to
 * serve SRV records from a dnsmasq on loopback.
 */
import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';

export interface ServerEndpoint {
  /** Host name or address to connect to. */
  host: string;
  port: number;
  /** TLS from the first byte (XEP-0368) instead of STARTTLS. */
  directTls: boolean;
  /** Where it came from, for messages. */
  source: 'account' | 'srv' | 'domain';
}

export interface EndpointQuery {
  domain: string;
  hostname: string | null;
  port: number;
  /** DNS servers (`host` or `host:port`); default `FERRY_DNS_SERVER`, else the system's. */
  dnsServers?: string[];
}

/** The DNS servers to use: the given ones, else `FERRY_DNS_SERVER` (comma-separated), else none (system). */
export function configuredDnsServers(given?: string[]): string[] | undefined {
  if (given && given.length > 0) return given;
  const env = process.env.FERRY_DNS_SERVER?.trim();
  return env ? env.split(',').map((s) => s.trim()) : undefined;
}

interface SrvRecord {
  name: string;
  port: number;
  priority: number;
  weight: number;
  directTls: boolean;
}

async function srv(resolver: Resolver, name: string, directTls: boolean): Promise<SrvRecord[]> {
  try {
    const records = await resolver.resolveSrv(name);
    return records.map((r) => ({ ...r, directTls }));
  } catch {
    return []; // no record (ENOTFOUND/ENODATA) or no answer: fall back to the domain
  }
}

/** The endpoints to try, in order. Never empty. */
export async function findServerEndpoints(q: EndpointQuery): Promise<ServerEndpoint[]> {
  if (q.hostname) {
    return [
      {
        host: q.hostname,
        port: q.port,
        directTls: q.port === 5223 || q.port === 443,
        source: 'account',
      },
    ];
  }
  const fallback: ServerEndpoint = {
    host: q.domain,
    port: 5222,
    directTls: false,
    source: 'domain',
  };
  if (isIP(q.domain) !== 0) return [fallback];
  const resolver = new Resolver({ timeout: 3000, tries: 2 });
  const servers = configuredDnsServers(q.dnsServers);
  if (servers) resolver.setServers(servers);
  const records = [
    ...(await srv(resolver, `_xmpps-client._tcp.${q.domain}`, true)),
    ...(await srv(resolver, `_xmpp-client._tcp.${q.domain}`, false)),
  ].filter((r) => r.name !== '' && r.name !== '.' && r.port > 0);
  records.sort(
    (a, b) =>
      a.priority - b.priority || Number(b.directTls) - Number(a.directTls) || b.weight - a.weight,
  );
  const endpoints: ServerEndpoint[] = [];
  for (const r of records) {
    // With DNS servers of its own, ferry resolves the target there too (the system wouldn't know it).
    const host = servers ? await address(resolver, r.name) : r.name;
    if (host) endpoints.push({ host, port: r.port, directTls: r.directTls, source: 'srv' });
  }
  endpoints.push(
    servers ? { ...fallback, host: (await address(resolver, q.domain)) ?? q.domain } : fallback,
  );
  return endpoints;
}

async function address(resolver: Resolver, name: string): Promise<string | undefined> {
  for (const lookup of [resolver.resolve4.bind(resolver), resolver.resolve6.bind(resolver)]) {
    try {
      const [first] = await lookup(name);
      if (first) return first;
    } catch {
      // try the other family
    }
  }
  return undefined;
}
