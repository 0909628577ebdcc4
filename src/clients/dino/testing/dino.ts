/**
 * The real Dino (Debian `dino-im` 0.4.2) for tests, headless and walled off.
 *
 * Dino only logs in over TLS, to port 5222 of the account's domain (after SRV lookups), with a
 * certificate the system trusts. So it runs in a private network and mount namespace made with
 * `unshare` (root): loopback up, `/etc/hosts` naming the domain 127.0.0.1, and the system CA bundle
 * replaced by one holding the test CA (GnuTLS reads /etc/ssl/certs/ca-certificates.crt). Inside, a
 * small relay listens on 127.0.0.1:5222 and passes each connection through a Unix socket to the
 * test's Prosody outside (its TLS is end to end, the relay only copies bytes). Xvfb gives it a
 * screen (reachable from outside through its socket in /tmp/.X11-unix, for screenshots and
 * xdotool), dbus-run-session a session bus, HOME the home folder under test.
 */
import { spawn, execFile, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { createServer, connect, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

const TOOLS = [
  'dino-im',
  'Xvfb',
  'dbus-run-session',
  'unshare',
  'ip',
  'mount',
  'import',
  'xdotool',
];

/** Why Dino cannot run here (one line), or false when it can. */
export function dinoUnavailable(): string | false {
  const missing = TOOLS.filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);
  if (missing.length > 0) return `not installed: ${missing.join(', ')}`;
  if (process.getuid?.() !== 0)
    return 'needs root for its network namespace (unshare --net --mount)';
  const probe = spawnSync('unshare', ['--net', '--mount', 'true']);
  if (probe.status !== 0)
    return `cannot make a network namespace: ${probe.stderr.toString().trim()}`;
  return false;
}

export interface DinoOptions {
  /** The home folder Dino uses (HOME). */
  home: string;
  /** The XMPP domain whose port 5222 leads to `prosodyPort`. */
  domain: string;
  /** The test Prosody's c2s port on 127.0.0.1 (outside the namespace). */
  prosodyPort: number;
  /** PEM of the CA that signed the server's certificate. */
  caCertPem: string;
}

export interface RunningDino {
  display: string;
  /** Saves a PNG of the whole screen. */
  screenshot(file: string): Promise<void>;
  /** Runs xdotool on Dino's screen (e.g. `['type', '--delay', '20', 'hello']`). */
  xdotool(args: string[]): Promise<string>;
  /** Waits until Dino's main window is on screen. */
  windowShown(): Promise<void>;
  /**
   * Waits until Dino is online with its OMEMO start-up done: it has its own device list (the
   * answer to its request and the server's notification) and an answer to every request for its
   * own bundle. See {@link omemoStartupDone} for why a reply must not be sent before.
   */
  settled(account: string, deviceId: number): Promise<void>;
  /**
   * Opens the first chat of the list and sends `text` from its message box, as a person would;
   * done when `sent()` says Dino stored it. Call {@link settled} first.
   */
  say(text: string, sent: () => boolean): Promise<void>;
  /** What Dino printed so far. */
  output(): string;
  /** Whether Dino took its network for offline after it logged in ({@link offlineAfterLogin}). */
  reportedOffline(): boolean;
  /** Stops Dino, its bus, screen and relay; waits until they are gone. Idempotent. */
  stop(): Promise<void>;
}

const DEVICELIST = 'eu.siacs.conversations.axolotl.devicelist';
const BUNDLES = 'eu.siacs.conversations.axolotl.bundles';

/**
 * Whether Dino's printout (`--print-xmpp`) shows its OMEMO start-up done for `account`.
 *
 * Dino 0.4.2 keeps one set of pending bundle requests, keyed by JID and device id, for two uses:
 * checking its own published bundle (asked each time its own device list arrives) and fetching a
 * bundle to build a session. Its first OMEMO message also goes to its own device, so it fetches
 * its own bundle; if that fetch comes while the check of its own bundle is under way, it is
 * dropped as a duplicate, the answer only serves the check, and the message waits for a bundle
 * that never comes (stored, shown, never sent until the next login). Its own device list arrives
 * twice after login (the answer to its request, then the server's notification), so start-up is
 * done when both came in and every request for its own bundle has its answer.
 */
export function omemoStartupDone(printout: string, account: string, deviceId: number): boolean {
  const stanzas = printout.split(/^XMPP (?=IN |OUT )/m).slice(1);
  const idOf = (s: string) => /:id='([^']*)'/.exec(s)?.[1];
  const answered = new Set(stanzas.filter((s) => s.startsWith('IN ')).map(idOf));
  const toSelf = (s: string) =>
    s.startsWith('OUT ') && s.includes(`:type='get'`) && s.includes(`:to='${account}'`);
  const ownBundle = `:node='${BUNDLES}:${deviceId}'`;
  const ownList = `:node='${DEVICELIST}'`;
  const requests = stanzas.filter(
    (s) => toSelf(s) && (s.includes(ownBundle) || s.includes(ownList)),
  );
  const listRequested = requests.some((s) => s.includes(ownList));
  const notified = stanzas.some(
    (s) => s.startsWith('IN ') && s.includes(`:from='${account}'`) && s.includes(ownList),
  );
  return listRequested && notified && requests.every((s) => answered.has(idOf(s)));
}

/**
 * Whether Dino's printout shows it took the network for offline once connected (a hint for a
 * failure's message: before its stream is negotiated it is harmless, as Dino then sets CONNECTED
 * again). Once logged in, Dino 0.4.2 marks the connection DISCONNECTED while the stream stays up
 * (`on_network_changed`, `libdino/src/service/connection_manager.vala`), `get_stream()` answers
 * null, and every message
 * sent from then on is stored UNSENT (`send_xmpp_message`, `message_processor.vala`) until the
 * next login. GLib's netlink network monitor calls the network available only while a default
 * route exists, and says so again on every route change: `startDino` gives its namespace one.
 */
export function offlineAfterLogin(printout: string): boolean {
  const login = printout.indexOf('New connection with resource');
  return login >= 0 && printout.indexOf('Network reported offline', login) >= 0;
}

function freeDisplay(): number {
  for (let n = 140 + (process.pid % 500); ; n++) {
    if (!existsSync(`/tmp/.X${n}-lock`) && !existsSync(`/tmp/.X11-unix/X${n}`)) return n;
  }
}

const RELAY = `
const net = require('node:net');
const sock = process.argv[2];
net.createServer((c) => {
  const u = net.connect(sock);
  c.pipe(u).pipe(c);
  c.on('error', () => u.destroy());
  u.on('error', () => c.destroy());
}).listen(5222, '127.0.0.1');
`;

export async function startDino(opts: DinoOptions): Promise<RunningDino> {
  const work = mkdtempSync(join(tmpdir(), 'ferry-dino-run-'));
  const socketPath = join(work, 'xmpp.sock');
  const bridge: Server = createServer((c) => {
    const u = connect(opts.prosodyPort, '127.0.0.1');
    c.pipe(u).pipe(c);
    c.on('error', () => u.destroy());
    u.on('error', () => c.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    bridge.once('error', reject);
    bridge.listen(socketPath, () => resolve());
  });
  const system = existsSync('/etc/ssl/certs/ca-certificates.crt')
    ? readFileSync('/etc/ssl/certs/ca-certificates.crt', 'utf8')
    : '';
  writeFileSync(join(work, 'ca-certificates.crt'), `${system}\n${opts.caCertPem}`);
  writeFileSync(join(work, 'hosts'), `127.0.0.1 localhost ${opts.domain}\n::1 localhost\n`);
  writeFileSync(join(work, 'resolv.conf'), 'nameserver 127.0.0.1\n');
  writeFileSync(join(work, 'relay.cjs'), RELAY);
  const debug = process.env.FERRY_DINO_DEBUG !== undefined;
  const displayNumber = freeDisplay();
  const display = `:${displayNumber}`;
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const script = [
    'set -e',
    'ip link set lo up',
    // getaddrinfo(AI_ADDRCONFIG), as GLib calls it per address family, finds nothing while
    // loopback is the only interface: give the namespace an IPv4 address on a veth pair.
    // No IPv6 on it: its link-local route appearing a second later is a network change.
    'echo 1 2>/dev/null >/proc/sys/net/ipv6/conf/default/disable_ipv6 || true',
    'ip link add ferry0 type veth peer name ferry1',
    'ip addr add 10.254.254.1/30 dev ferry0',
    'ip link set ferry0 up',
    'ip link set ferry1 up',
    // A default route, as any online computer has. GLib's network monitor (netlink) calls the
    // network available only while one exists; without it every route change makes Dino report
    // "Network reported offline" and mark its connection DISCONNECTED, and what it sends from
    // then on is stored UNSENT until its next login (see offlineAfterLogin).
    'ip route add default dev ferry0',
    // Name lookups fail at once (nothing listens there) instead of timing out on that route.
    `mount --bind ${q(join(work, 'hosts'))} /etc/hosts`,
    `touch /etc/resolv.conf 2>/dev/null || true`,
    `mount --bind ${q(join(work, 'resolv.conf'))} /etc/resolv.conf`,
    `touch /etc/ssl/certs/ca-certificates.crt 2>/dev/null || true`,
    `mount --bind ${q(join(work, 'ca-certificates.crt'))} /etc/ssl/certs/ca-certificates.crt`,
    `${q(process.execPath)} ${q(join(work, 'relay.cjs'))} ${q(socketPath)} &`,
    `Xvfb ${display} -screen 0 1280x800x24 -nolisten tcp >${q(join(work, 'xvfb.log'))} 2>&1 &`,
    `for i in $(seq 1 100); do [ -e /tmp/.X11-unix/X${displayNumber} ] && break; sleep 0.05; done`,
    `export DISPLAY=${display} HOME=${q(opts.home)} NO_AT_BRIDGE=1 GSETTINGS_BACKEND=memory`,
    'unset XDG_DATA_HOME XDG_CONFIG_HOME XDG_CACHE_HOME DBUS_SESSION_BUS_ADDRESS',
    // libdino's debug messages always (its connection state: see `reportedOffline()`).
    `export G_MESSAGES_DEBUG=${debug ? 'all' : 'libdino'}`,
    // Dino prints the stanzas it sends and receives (to stderr, unbuffered): `settled()` reads them.
    `exec dbus-run-session -- dino-im --print-xmpp=${q(debug ? 'all' : 'iq|message')}`,
  ].join('\n');
  let output = '';
  const child: ChildProcess = spawn(
    'unshare',
    ['--net', '--mount', '--propagation', 'private', 'sh', '-c', script],
    {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let stopped = false;
  const x = async (cmd: string, args: string[]) =>
    (await execFileAsync(cmd, args, { env: { ...process.env, DISPLAY: display } })).stdout;
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const windowShown = async () => {
    await execFileAsync('xdotool', ['search', '--sync', '--onlyvisible', '--class', 'dino'], {
      env: { ...process.env, DISPLAY: display },
      timeout: 60_000,
    });
  };
  // Wait for the screen (Dino draws into it once it started).
  for (let i = 0; i < 200 && !existsSync(`/tmp/.X11-unix/X${displayNumber}`); i++)
    await new Promise((r) => setTimeout(r, 50));
  return {
    display,
    async screenshot(file) {
      await x('import', ['-window', 'root', file]);
    },
    xdotool: (args) => x('xdotool', args),
    windowShown,
    async settled(account, deviceId) {
      for (let i = 0; !omemoStartupDone(output, account, deviceId); i++) {
        if (child.exitCode !== null) throw new Error(`Dino exited: ${output.slice(-1500)}`);
        if (i > 1200)
          throw new Error(
            `Dino's OMEMO start-up did not finish in 2 minutes: ${output.slice(-1500)}`,
          );
        await pause(100);
      }
    },
    async say(text, sent) {
      await windowShown();
      // Once: typing it again when the check is slow would send it twice (seen on a busy machine).
      await x('xdotool', ['mousemove', '150', '80', 'click', '1']);
      await pause(1000);
      await x('xdotool', ['mousemove', '750', '665', 'click', '1']);
      await x('xdotool', ['type', '--delay', '30', text]);
      await x('xdotool', ['key', 'Return']);
      for (let i = 0; i < 600; i++) {
        if (sent()) return;
        if (child.exitCode !== null) throw new Error(`Dino exited: ${output.slice(-1500)}`);
        await pause(100);
      }
      throw new Error(`Dino did not store "${text}" within a minute`);
    },
    output: () => output,
    reportedOffline: () => offlineAfterLogin(output),
    async stop() {
      if (stopped) return;
      stopped = true;
      // The whole process group, even when Dino itself has exited already: the relay and Xvfb
      // started beside it would otherwise live on holding this process's pipes (it never ends).
      const killGroup = (signal: NodeJS.Signals) => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, signal);
        } catch {
          // already gone
        }
      };
      killGroup('SIGTERM');
      if (child.exitCode === null && child.signalCode === null) {
        const timer = setTimeout(() => killGroup('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      setTimeout(() => killGroup('SIGKILL'), 2000).unref();
      child.stdout?.destroy();
      child.stderr?.destroy();
      await new Promise<void>((r) => bridge.close(() => r()));
      rmSync(work, { recursive: true, force: true });
    },
  };
}
