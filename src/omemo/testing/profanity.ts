/**
 * profanity 0.13 (Debian; OMEMO through libsignal-protocol-c) as an independent peer in tests, run in
 * tmux and driven like a person would: keys typed with `send-keys`, results read with `capture-pane`.
 *
 *   const prof = await Profanity.start(join(tempDir, 'profanity'));
 *   t.after(() => prof.stop());
 *   await publishEmptyDeviceList(server, 'carol', 'pw');   // before profanity's first login
 *   await prof.login({ jid: carol, password: 'pw', port: server.port });
 *   await prof.generateOmemoKeys();
 *   await prof.type('/msg alice@…'); await prof.type('hello');
 *   await prof.waitFor(/a reply/);
 *
 * Each instance has a tmux server of its own (socket in its folder, no tmux config read) and its own
 * HOME / XDG folders there, so nothing of the machine's user is read or written.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { client, xml } from '@xmpp/client';
import { DEVICELIST_NODE, OMEMO_NS } from '../omemo-element.js';

const run = promisify(execFile);

/** true when profanity and tmux are installed (CI installs them). */
export function profanityAvailable(): boolean {
  try {
    execFileSync('which', ['profanity', 'tmux'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export interface ProfanityLogin {
  jid: string;
  password: string;
  /** c2s port on 127.0.0.1 (plain TCP, no TLS). */
  port: number;
}

const POLL_MS = 100;
let instances = 0;

export class Profanity {
  private stopped = false;

  private constructor(
    /** Path of this instance's tmux socket. */
    private readonly socket: string,
    /** The folder holding the socket (and HOME unless given); removed by `stop()`. */
    readonly dir: string,
    /** profanity's HOME. */
    readonly home: string,
  ) {}

  /**
   * Starts profanity with its files in `dir` (created), or with `home` as HOME (a home made
   * elsewhere, e.g. by `ferry export --to profanity`; not removed by `stop()`).
   */
  static async start(dir: string, opts: { home?: string } = {}): Promise<Profanity> {
    const home = opts.home ?? join(dir, 'home');
    mkdirSync(dir, { recursive: true });
    mkdirSync(join(home, '.config'), { recursive: true });
    mkdirSync(join(home, '.local', 'share'), { recursive: true });
    // A unix socket path must stay under ~107 bytes; fall back to /tmp for deep dirs.
    let socket = join(dir, 'tmux.sock');
    if (Buffer.byteLength(socket) > 100) {
      socket = join('/tmp', `ferry-profanity-${process.pid}-${++instances}.sock`);
    }
    // One invocation: the server starts, keeps a pane whose program died (to tell why), then runs
    // profanity in a session as wide as a desktop terminal.
    await run('tmux', [
      '-S',
      socket,
      '-f',
      '/dev/null',
      'start-server',
      ';',
      'set-option',
      '-g',
      'remain-on-exit',
      'on',
      ';',
      'new-session',
      '-d',
      '-s',
      'p',
      '-x',
      '250',
      '-y',
      '60',
      '-e',
      `HOME=${home}`,
      '-e',
      `XDG_CONFIG_HOME=${join(home, '.config')}`,
      '-e',
      `XDG_DATA_HOME=${join(home, '.local', 'share')}`,
      '-e',
      'LANG=C.UTF-8',
      'profanity',
    ]);
    const p = new Profanity(socket, dir, home);
    try {
      await p.waitFor(/Type \/help for help information/, 10_000);
    } catch (e) {
      await p.stop();
      throw e;
    }
    return p;
  }

  private tmux(...args: string[]) {
    return run('tmux', ['-S', this.socket, ...args]);
  }

  /** What the terminal shows now (wrapped lines joined). */
  async screen(): Promise<string> {
    const { stdout } = await this.tmux('capture-pane', '-p', '-J', '-t', 'p');
    return stdout;
  }

  /** Types a line literally and presses Enter. */
  async type(line: string): Promise<void> {
    await this.tmux('send-keys', '-t', 'p', '-l', line);
    await this.tmux('send-keys', '-t', 'p', 'Enter');
  }

  /** Polls the screen until `pattern` shows (at least `count` times); fails with the screen. */
  async waitFor(pattern: RegExp, timeoutMs = 15_000, count = 1): Promise<string> {
    const global = new RegExp(
      pattern.source,
      pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`,
    );
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = await this.screen();
      if ((screen.match(global)?.length ?? 0) >= count) return screen;
      if (Date.now() > deadline || (await this.exitStatus()) !== null) {
        throw new Error(`profanity never showed ${pattern}\n${await this.diagnosis(screen)}`);
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  /**
   * Types `command` until the screen shows `pattern` — for what profanity only tells when asked
   * (e.g. `/omemo fingerprint JID` once the contact's device list and bundle arrived).
   */
  async askUntil(command: string, pattern: RegExp, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.type(command);
      try {
        return await this.waitFor(pattern, 300);
      } catch (e) {
        if (Date.now() > deadline || (await this.exitStatus()) !== null) throw e;
      }
    }
  }

  /** null while profanity runs; its exit status once it ended. */
  async exitStatus(): Promise<number | null> {
    try {
      const { stdout } = await this.tmux(
        'display-message',
        '-p',
        '-t',
        'p',
        '#{pane_dead} #{pane_dead_status}',
      );
      const [dead, status] = stdout.trim().split(' ');
      return dead === '1' ? Number(status ?? -1) : null;
    } catch {
      return -1; // the tmux server is gone
    }
  }

  /** The screen's last lines, the exit status and the end of profanity's own log. */
  private async diagnosis(screen: string): Promise<string> {
    const status = await this.exitStatus();
    const logFile = join(this.home, '.local', 'share', 'profanity', 'logs', 'profanity.log');
    const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-15) : [];
    return [
      status === null ? 'profanity is running' : `profanity exited (${status})`,
      'screen:',
      ...screen
        .split('\n')
        .map((line) => line.trimEnd())
        .filter((line) => line !== '')
        .slice(-30),
      ...(log.length > 0 ? ['profanity.log:', ...log] : []),
    ].join('\n');
  }

  /** Adds the account (127.0.0.1, no TLS), connects and waits for the login. */
  async login({ jid, password, port }: ProfanityLogin): Promise<void> {
    await this.type(`/account add ${jid}`);
    await this.waitFor(/Account created/);
    for (const setting of ['server 127.0.0.1', `port ${port}`, 'tls disable']) {
      await this.type(`/account set ${jid} ${setting}`);
    }
    await this.type(`/account set ${jid} password ${password}`);
    await this.waitFor(/Updated password for account/);
    await this.type(`/connect ${jid}`);
    await this.waitFor(/logged in successfully/);
  }

  /**
   * Connects an account that is already in profanity's accounts file (e.g. written by ferry),
   * pointed at the test server first: 127.0.0.1, the port, no TLS (loopback).
   */
  async connectExisting(jid: string, port: number): Promise<void> {
    for (const setting of ['server 127.0.0.1', `port ${port}`, 'tls disable']) {
      await this.type(`/account set ${jid} ${setting}`);
    }
    await this.waitFor(/Updated TLS policy for account/);
    await this.type(`/connect ${jid}`);
    await this.waitFor(/logged in successfully/);
  }

  /**
   * Generates the account's OMEMO identity, prekeys and device id (profanity publishes its device
   * list and bundle), and trusts every contact's device blindly, as Conversations does.
   */
  async generateOmemoKeys(): Promise<void> {
    await this.type('/omemo gen');
    // profanity's own spelling.
    await this.waitFor(/OMEMO crytographic materials generated/, 30_000);
    await this.type('/omemo trustmode blind');
    await this.waitFor(/trusted automatically/);
  }

  /** Ends profanity and its tmux server and removes the folder. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if ((await this.exitStatus()) === null) {
      await this.type('/quit').catch(() => {});
      const deadline = Date.now() + 3_000;
      while ((await this.exitStatus()) === null && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    await this.tmux('kill-server').catch(() => {});
    rmSync(this.socket, { force: true });
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * profanity never publishes its device list when fetching it answers item-not-found, as Prosody does
 * for a new account: publish an empty one (access model open) for the account before profanity's
 * first login.
 */
export async function publishEmptyDeviceList(
  server: { service: string; domain: string },
  user: string,
  password: string,
): Promise<void> {
  const c = client({ service: server.service, domain: server.domain, username: user, password });
  c.on('error', () => {});
  c.reconnect.stop();
  await c.start();
  try {
    const options = xml(
      'x',
      { xmlns: 'jabber:x:data', type: 'submit' },
      xml(
        'field',
        { var: 'FORM_TYPE', type: 'hidden' },
        xml('value', {}, 'http://jabber.org/protocol/pubsub#publish-options'),
      ),
      xml('field', { var: 'pubsub#access_model' }, xml('value', {}, 'open')),
    );
    await c.iqCaller.request(
      xml(
        'iq',
        { type: 'set' },
        xml(
          'pubsub',
          { xmlns: 'http://jabber.org/protocol/pubsub' },
          xml(
            'publish',
            { node: DEVICELIST_NODE },
            xml('item', { id: 'current' }, xml('list', { xmlns: OMEMO_NS })),
          ),
          xml('publish-options', {}, options),
        ),
      ),
    );
  } finally {
    await c.stop();
  }
}
