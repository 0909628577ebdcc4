/**
 * A real Prosody (Debian package) for tests: config, data, pidfile and certificates in a temporary
 * folder, listening on 127.0.0.1 on a free port, s2s off, low SCRAM iteration count, MAM, carbons,
 * PEP (with publish-options advertised on the server), smacks, offline storage and optionally a MUC
 * component with MAM.
 *
 * Without `tls` the server offers no TLS at all: ferry refuses such a server unless the account
 * opts in with `allowPlaintextLoopback` (see docs/chat.md). Spread `server.accountOptions` into
 * `addAccount` and it is set for you:
 *
 *   const server = await startProsody({ muc: true });
 *   t.after(() => server.stop());
 *   await server.register('alice', 'secret');
 *   addAccount(db, { jid: `alice@${server.domain}`, password: 'secret', ...server.accountOptions });
 *   // (CLI: ferry account add JID --hostname 127.0.0.1 --port ${server.port} --allow-plaintext-loopback)
 *
 * With `tls` (a certificate and key, e.g. from {@link createTestCa} in ./test-ca.ts) it requires
 * encryption on c2s (STARTTLS), and with `tls.directTls` also listens for direct TLS (XEP-0368) on
 * `server.directTlsPort`; `server.accountOptions` then carries no plaintext opt-in:
 *
 *   const ca = createTestCa();
 *   const server = await startProsody({ tls: { ...ca.issue('ferry.test'), directTls: true } });
 *   // trust ca.pem: EngineOptions.extraCaCertificates, or NODE_EXTRA_CA_CERTS=ca.certPath for `ferry`
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, readFileSync, existsSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface ProsodyOptions {
  /** Add a MUC component `conference.<domain>` with room archives (muc_mam). */
  muc?: boolean;
  /**
   * Where the message archive lives: `memory` (fast; lost on restart, default) or `internal`
   * (files in the data folder; survives `restart()`).
   */
  archive?: 'memory' | 'internal';
  /** The XMPP domain served; any name works since clients connect to 127.0.0.1. */
  domain?: string;
  /** Lua lines appended to the global section of the config. */
  extraGlobalConfig?: string;
  /** Serve TLS with this certificate; without it the server has no TLS at all (plaintext only). */
  tls?: ProsodyTlsOptions;
  /**
   * The hash Prosody stores passwords with, which decides the SCRAM mechanism it offers:
   * `SHA-1` (SCRAM-SHA-1, default without TLS) or `SHA-256` (SCRAM-SHA-256, default with TLS).
   */
  passwordHash?: 'SHA-1' | 'SHA-256';
}

export interface ProsodyTlsOptions {
  /** PEM certificate file (chain) the server presents. */
  certPath: string;
  /** Its PEM private key file. */
  keyPath: string;
  /** Require TLS before authentication on c2s (`c2s_require_encryption`); default true. */
  requireEncryption?: boolean;
  /** Also listen for direct TLS (XEP-0368) on `directTlsPort`; default false. */
  directTls?: boolean;
}

/** What `addAccount` needs to point an account at this test server (spread it into NewAccount). */
export interface TestAccountOptions {
  hostname: string;
  port: number;
  /** Set (true) only for a server without TLS: the account's explicit plaintext-on-loopback opt-in. */
  allowPlaintextLoopback?: boolean;
}

export interface ProsodyServer {
  /** c2s port on 127.0.0.1. */
  port: number;
  domain: string;
  /** `conference.<domain>` when started with `muc: true`, else undefined. */
  mucDomain: string | undefined;
  /** The temporary folder holding config, data and log. */
  dir: string;
  /** `xmpp://127.0.0.1:<port>`, for xmpp.js's `service` option. */
  service: string;
  /** Direct TLS port on 127.0.0.1 when started with `tls.directTls`, else undefined. */
  directTlsPort: number | undefined;
  /** Whether the server has TLS (started with `tls`). */
  tls: boolean;
  /**
   * `{ hostname: '127.0.0.1', port }`, plus `allowPlaintextLoopback: true` when the server has no
   * TLS: spread into `addAccount(db, { jid, password, ...server.accountOptions })`.
   */
  accountOptions: TestAccountOptions;
  /** Creates the account `user@domain` (works while the server runs). */
  register(user: string, password: string): Promise<void>;
  /** Stops the server (SIGTERM, waits for exit) and removes the temporary folder. Idempotent. */
  stop(): Promise<void>;
  /** Stops the server process without removing its data; `start()` runs it again on the same port. */
  halt(): Promise<void>;
  /** (Re)starts a halted server on the same port and data folder; resolves when it accepts. */
  start(): Promise<void>;
  /** halt() + start(). */
  restart(): Promise<void>;
  /** The log file's content so far (warnings and errors), for diagnosing a failing test. */
  log(): string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      if (addr === null || typeof addr === 'string') {
        srv.close();
        reject(new Error('no port'));
        return;
      }
      const { port } = addr;
      srv.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: '127.0.0.1', port });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => {
      sock.destroy();
      resolve(false);
    });
  });
}

async function waitFor(
  cond: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function luaString(s: string): string {
  return JSON.stringify(s);
}

function configText(
  dir: string,
  ports: { c2s: number; directTls: number | undefined },
  domain: string,
  opts: ProsodyOptions,
  mucDomain: string | undefined,
): string {
  const archive = opts.archive ?? 'memory';
  const tls = opts.tls;
  const passwordHash = opts.passwordHash ?? (tls ? 'SHA-256' : 'SHA-1');
  const ssl = tls
    ? `{ certificate = ${luaString(tls.certPath)}, key = ${luaString(tls.keyPath)} }`
    : undefined;
  const lines = [
    `run_as_root = true`,
    `daemonize = false`,
    `pidfile = ${luaString(join(dir, 'prosody.pid'))}`,
    `data_path = ${luaString(join(dir, 'data'))}`,
    `certificates = ${luaString(join(dir, 'certs'))}`,
    `plugin_paths = { ${luaString(join(dir, 'plugins'))} }`,
    `log = { { levels = { min = ${luaString(process.env.FERRY_PROSODY_LOG ?? 'warn')} }, to = "file", filename = ${luaString(join(dir, 'prosody.log'))} } }`,
    `interfaces = { "127.0.0.1" }`,
    `local_interfaces = { "127.0.0.1" }`,
    `c2s_ports = { ${ports.c2s} }`,
    `c2s_direct_tls_ports = { ${ports.directTls ?? ''} }`,
    `s2s_ports = { }`,
    `http_ports = { }`,
    `https_ports = { }`,
    `c2s_require_encryption = ${tls ? String(tls.requireEncryption ?? true) : 'false'}`,
    `s2s_require_encryption = false`,
    `allow_unencrypted_plain_auth = ${tls ? 'false' : 'true'}`,
    ...(ssl ? [`ssl = ${ssl}`, `c2s_direct_tls_ssl = ${ssl}`] : []),
    `authentication = "internal_hashed"`,
    `password_hash = ${luaString(passwordHash)}`,
    `default_iteration_count = 128`,
    `storage = { archive = ${luaString(archive)}, muc_log = ${luaString(archive)} }`,
    `default_archive_policy = true`,
    `archive_expires_after = "never"`,
    `storage_archive_item_limit = 1000000`,
    `max_archive_query_results = 250`,
    `pep_max_items = 1000`,
    `smacks_hibernation_time = 60`,
    `limits = { c2s = { rate = "100mb/s" } }`,
    `modules_enabled = { "roster", "saslauth", "disco", "carbons", "pep", "private", "blocklist",`,
    `  "vcard4", "vcard_legacy", "version", "uptime", "time", "ping", "register", "mam", "smacks",`,
    `  "offline", "posix", "ferry_publish_options"${tls ? ', "tls"' : ''} }`,
    `modules_disabled = { "s2s"${tls ? '' : ', "tls"'} }`,
    `allow_registration = false`,
    opts.extraGlobalConfig ?? '',
    ``,
    `VirtualHost ${luaString(domain)}`,
    ...(ssl ? [`  ssl = ${ssl}`] : []),
  ];
  if (mucDomain) {
    lines.push(
      ``,
      `Component ${luaString(mucDomain)} "muc"`,
      `  modules_enabled = { "muc_mam" }`,
      `  muc_room_locking = false`,
      `  muc_room_default_persistent = true`,
      `  muc_room_default_public = true`,
      `  muc_log_by_default = true`,
      `  muc_log_all_rooms = true`,
      `  muc_room_default_history_length = 0`,
    );
  }
  return lines.join('\n') + '\n';
}

export async function startProsody(opts: ProsodyOptions = {}): Promise<ProsodyServer> {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-prosody-'));
  mkdirSync(join(dir, 'data'), { mode: 0o700 });
  mkdirSync(join(dir, 'certs'));
  mkdirSync(join(dir, 'plugins'));
  writeFileSync(
    join(dir, 'plugins', 'mod_ferry_publish_options.lua'),
    'module:add_feature("http://jabber.org/protocol/pubsub#publish-options")\n',
  );
  const domain = opts.domain ?? 'ferry.test';
  const mucDomain = opts.muc ? `conference.${domain}` : undefined;
  const port = await freePort();
  let directTlsPort = opts.tls?.directTls ? await freePort() : undefined;
  while (directTlsPort === port) directTlsPort = await freePort();
  const configPath = join(dir, 'prosody.cfg.lua');
  writeFileSync(
    configPath,
    configText(dir, { c2s: port, directTls: directTlsPort }, domain, opts, mucDomain),
  );

  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let stopped = false;
  let output = '';

  const start = async (): Promise<void> => {
    if (child) return;
    const proc = spawn('prosody', ['-F', '--config', configPath], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    proc.on('error', (err) => {
      // e.g. ENOENT: Prosody is not installed (CI installs the Debian package `prosody`).
      output += `cannot run prosody: ${err.message}\n`;
      if (child === proc) child = undefined;
    });
    proc.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    exited = new Promise((resolve) => {
      proc.once('exit', () => {
        if (child === proc) child = undefined;
        resolve();
      });
    });
    try {
      await waitFor(
        async () => {
          if (child !== proc) throw new Error(`prosody exited at start:\n${output}`);
          return (
            (await canConnect(port)) &&
            (directTlsPort === undefined || (await canConnect(directTlsPort)))
          );
        },
        10_000,
        'prosody to accept connections',
      );
    } catch (err) {
      await halt();
      throw err;
    }
  };

  const halt = async (): Promise<void> => {
    const proc = child;
    if (!proc) return;
    const gone = exited;
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(timer);
    // Wait until the port is really free so a restart can bind it again.
    await waitFor(async () => !(await canConnect(port)), 5000, 'prosody port to close');
  };

  const server: ProsodyServer = {
    port,
    domain,
    mucDomain,
    dir,
    service: `xmpp://127.0.0.1:${port}`,
    directTlsPort,
    tls: opts.tls !== undefined,
    accountOptions: {
      hostname: '127.0.0.1',
      port,
      ...(opts.tls ? {} : { allowPlaintextLoopback: true }),
    },
    async register(user, password) {
      await execFileAsync('prosodyctl', [
        '--config',
        configPath,
        'register',
        user,
        domain,
        password,
      ]);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
    halt,
    start,
    async restart() {
      await halt();
      await start();
    },
    log() {
      const p = join(dir, 'prosody.log');
      return (existsSync(p) ? readFileSync(p, 'utf8') : '') + output;
    },
  };
  try {
    await start();
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return server;
}
