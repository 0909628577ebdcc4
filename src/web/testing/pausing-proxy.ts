import { connect, createServer, type Socket } from 'node:net';

/**
 * A TCP proxy in front of a server that can hold a download in the middle: once armed, after `bytes`
 * more bytes have gone from the server to the client it stops passing them on (keeping them) until
 * `resume()`. A long operation that stays running exactly as long as a test wants — no timing luck.
 */
export interface PausingProxy {
  url: string;
  /** After `bytes` more bytes downstream, hold everything; `paused` resolves when that happens. */
  pauseAfter(bytes: number): Promise<void>;
  /** Passes on what was held and everything after. */
  resume(): void;
  stop(): Promise<void>;
}

export async function startPausingProxy(targetPort: number): Promise<PausingProxy> {
  const sockets = new Set<Socket>();
  let budget: number | null = null; // bytes still passed before holding; null: not armed
  let onPaused: (() => void) | null = null;
  const held: { client: Socket; data: Buffer }[] = [];
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    client.on('data', (d: Buffer) => upstream.write(d));
    upstream.on('data', (d: Buffer) => {
      if (budget === null) {
        client.write(d);
        return;
      }
      if (budget > 0) {
        const pass = d.subarray(0, budget);
        client.write(pass);
        budget -= pass.length;
        d = d.subarray(pass.length);
      }
      if (budget === 0 && d.length > 0) {
        held.push({ client, data: d });
        onPaused?.();
        onPaused = null;
      }
    });
    const close = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('end', () => upstream.end());
    upstream.on('end', () => {
      if (budget === null) client.end();
      else held.push({ client, data: Buffer.alloc(0) }); // ends after the held bytes
    });
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/`,
    pauseAfter(bytes) {
      budget = bytes;
      return new Promise<void>((resolve) => (onPaused = resolve));
    },
    resume() {
      budget = null;
      for (const { client, data } of held.splice(0)) {
        if (data.length > 0) client.write(data);
        else client.end();
      }
    },
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
