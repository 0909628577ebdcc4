import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A real WebDAV server for tests: `rclone serve webdav` on 127.0.0.1, files in a temp folder. */
export interface TestWebdav {
  /** Base URL, e.g. http://127.0.0.1:PORT/ */
  url: string;
  port: number;
  /** The folder the server serves. */
  dir: string;
  user: string;
  password: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForHttp(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`rclone exited early with code ${child.exitCode}`);
    try {
      await fetch(url, { method: 'OPTIONS' });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  throw new Error('rclone did not start serving in time');
}

export async function startWebdav(
  opts: { user?: string; password?: string } = {},
): Promise<TestWebdav> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-webdav-'));
  const user = opts.user ?? 'kim';
  const password = opts.password ?? 'dav secret';
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const child = spawn(
      'rclone',
      [
        'serve',
        'webdav',
        dir,
        '--addr',
        `127.0.0.1:${port}`,
        '--user',
        user,
        '--pass',
        password,
        '--config',
        '/dev/null',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let log = '';
    child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    // If the test process ends without stop() (a timeout, a crash), the server goes with it.
    const killOnExit = (): void => {
      child.kill('SIGKILL');
    };
    process.once('exit', killOnExit);
    child.once('exit', () => process.removeListener('exit', killOnExit));
    try {
      await waitForHttp(`http://127.0.0.1:${port}/`, child, 10_000);
    } catch (err) {
      child.kill('SIGKILL');
      if (attempt < 2) continue;
      await rm(dir, { recursive: true, force: true });
      throw new Error(`${(err as Error).message}\n${log}`);
    }
    return {
      url: `http://127.0.0.1:${port}/`,
      port,
      dir,
      user,
      password,
      stop: async () => {
        if (child.exitCode === null) {
          const exited = new Promise((r) => child.once('exit', r));
          child.kill('SIGTERM');
          await exited;
        }
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
}

/**
 * A TCP proxy in front of a server that, while armed, cuts the connection through which the
 * `bytes`-th byte since arming passes in the chosen direction — a dropped connection in the middle of a transfer.
 * It cuts once and then passes everything.
 */
export interface CuttingProxy {
  url: string;
  /** Arms the proxy: the next connection to move more than `bytes` upstream/downstream is cut. */
  arm(direction: 'upload' | 'download', bytes: number): void;
  cuts: number;
  /** Bytes sent from the server to clients so far. */
  bytesDown: number;
  stop(): Promise<void>;
}

export async function startCuttingProxy(targetPort: number): Promise<CuttingProxy> {
  const sockets = new Set<Socket>();
  let armed: { direction: 'upload' | 'download'; bytes: number; seen: number } | null = null;
  const state = { cuts: 0, bytesDown: 0 };
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    const cut = (): void => {
      armed = null;
      state.cuts += 1;
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (d: Buffer) => {
      if (armed?.direction === 'upload' && (armed.seen += d.length) > armed.bytes) return cut();
      upstream.write(d);
    });
    upstream.on('data', (d: Buffer) => {
      state.bytesDown += d.length;
      if (armed?.direction === 'download' && (armed.seen += d.length) > armed.bytes) return cut();
      client.write(d);
    });
    const close = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', close);
    upstream.on('close', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/`,
    arm(direction, bytes) {
      armed = { direction, bytes, seen: 0 };
    },
    get cuts() {
      return state.cuts;
    },
    get bytesDown() {
      return state.bytesDown;
    },
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
