import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

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

/**
 * profanity (libsignal-protocol-c) in a tmux session of its own (own tmux socket, own HOME), driven
 * with `send-keys` and read with `capture-pane`. Tests wait for what the screen shows.
 */
export class Profanity {
  private constructor(
    private readonly socket: string,
    readonly home: string,
  ) {}

  static async start(home: string): Promise<Profanity> {
    mkdirSync(join(home, '.config'), { recursive: true });
    mkdirSync(join(home, '.local', 'share'), { recursive: true });
    const socket = `ferry-profanity-${process.pid}-${Date.now()}`;
    const env = `HOME=${home} XDG_CONFIG_HOME=${home}/.config XDG_DATA_HOME=${home}/.local/share`;
    await run('tmux', [
      '-L',
      socket,
      'new-session',
      '-d',
      '-s',
      'p',
      '-x',
      '250',
      '-y',
      '60',
      `env ${env} profanity`,
    ]);
    const p = new Profanity(socket, home);
    await p.waitFor(/Welcome to Profanity|\/help/, 10_000);
    return p;
  }

  async screen(): Promise<string> {
    const { stdout } = await run('tmux', [
      '-L',
      this.socket,
      'capture-pane',
      '-p',
      '-J',
      '-S',
      '-200',
      '-t',
      'p',
    ]);
    return stdout;
  }

  /** Types a line (literally) and presses Enter. */
  async type(line: string): Promise<void> {
    await run('tmux', ['-L', this.socket, 'send-keys', '-t', 'p', '-l', line]);
    await run('tmux', ['-L', this.socket, 'send-keys', '-t', 'p', 'Enter']);
  }

  /** Polls the screen until `pattern` shows (at least `count` times). */
  async waitFor(pattern: RegExp, timeoutMs = 15_000, count = 1): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    const global = new RegExp(
      pattern.source,
      pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`,
    );
    for (;;) {
      const screen = await this.screen();
      if ((screen.match(global)?.length ?? 0) >= count) return screen;
      if (Date.now() > deadline) {
        throw new Error(
          `profanity never showed ${pattern}; screen:\n${screen.split('\n').slice(-25).join('\n')}`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async stop(): Promise<void> {
    await this.type('/quit').catch(() => {});
    await run('tmux', ['-L', this.socket, 'kill-server']).catch(() => {});
  }
}
