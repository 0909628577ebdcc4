/**
 * A small TCP proxy on 127.0.0.1 for tests: forwards to a server, records what the client sent,
 * and can strip `<starttls/>` from the server's stream features (a downgrade attack), so a test
 * can check that ferry refuses and that no `<auth>` ever went out.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface XmppProxy {
  port: number;
  /** Everything clients sent, as text (only meaningful while unencrypted). */
  fromClient(): string;
  /** How many connections were accepted. */
  connections(): number;
  stop(): Promise<void>;
}

export async function startXmppProxy(
  target: { port: number; host?: string },
  opts: { stripStartTls?: boolean } = {},
): Promise<XmppProxy> {
  let sent = '';
  let accepted = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    accepted++;
    const upstream = connect(target.port, target.host ?? '127.0.0.1');
    sockets.add(client).add(upstream);
    let pending = '';
    client.on('data', (d: Buffer) => {
      sent += d.toString('latin1');
      upstream.write(d);
    });
    upstream.on('data', (d: Buffer) => {
      if (!opts.stripStartTls) {
        client.write(d);
        return;
      }
      // Forward up to the last complete tag, without any <starttls …>…</starttls> or <starttls/>.
      pending += d.toString('utf8');
      pending = pending.replace(/<starttls\b[^>]*?(\/>|>[\s\S]*?<\/starttls>)/g, '');
      const cut = pending.lastIndexOf('>') + 1;
      if (cut > 0 && !/<starttls\b[^>]*$|<starttls\b[^>]*>(?![\s\S]*<\/starttls>)/.test(pending)) {
        client.write(pending.slice(0, cut));
        pending = pending.slice(cut);
      }
    });
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', close).on('error', close);
    upstream.on('close', close).on('error', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');
  return {
    port: address.port,
    fromClient: () => sent,
    connections: () => accepted,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
