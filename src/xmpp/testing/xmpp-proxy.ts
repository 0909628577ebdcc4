/**
 * A small TCP proxy on 127.0.0.1 for tests: forwards to a server, records what the client sent,
 * and can strip `<starttls/>` from the server's stream features (a downgrade attack), so a test
 * can check that ferry refuses and that no `<auth>` ever went out — or drop the server's stream
 * errors and stream close, so the client only sees the connection end (what Prosody 0.12 does
 * now and then when it closes a stream, see src/xmpp/resource-probe.ts).
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface XmppProxy {
  port: number;
  /** Everything clients sent, as text (only meaningful while unencrypted). */
  fromClient(): string;
  /** How many connections were accepted. */
  connections(): number;
  /** The stream errors the server sent that were dropped (with `dropStreamErrors`). */
  droppedStreamErrors(): string[];
  stop(): Promise<void>;
}

export async function startXmppProxy(
  target: { port: number; host?: string },
  opts: { stripStartTls?: boolean; dropStreamErrors?: boolean } = {},
): Promise<XmppProxy> {
  let sent = '';
  let accepted = 0;
  const dropped: string[] = [];
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
      if (opts.dropStreamErrors) {
        // Forward up to the last complete tag, without <stream:error>…</stream:error> and
        // </stream:stream>; an unfinished stream error waits for its end.
        pending += d.toString('utf8');
        pending = pending.replace(
          /<stream:error\b[\s\S]*?<\/stream:error>|<\/stream:stream>/g,
          (m) => {
            if (m.startsWith('<stream:error')) dropped.push(m);
            return '';
          },
        );
        const open = pending.indexOf('<stream:error');
        const cut = open >= 0 ? open : pending.lastIndexOf('>') + 1;
        if (cut > 0) {
          client.write(pending.slice(0, cut));
          pending = pending.slice(cut);
        }
        return;
      }
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
    droppedStreamErrors: () => [...dropped],
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
