import type { Command } from 'commander';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT, UserFacingError } from '../failure.js';
import { resolveProfileDir } from '../profile-option.js';
import { startWebApp, type RunningWebApp } from '../../web/server.js';

/** The port `ferry web` tries first; a busy port falls back to a free one. */
export const DEFAULT_WEB_PORT = 8417;

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new UserFacingError(
      `"${value}" is not a port number`,
      'Give --port a number from 1 to 65535 (0 = any free port).',
      EXIT.usage,
    );
  }
  return n;
}

/** Where a running `ferry web` notes itself in the profile: its process and address (no token). */
const RUNNING_FILE = 'web.running.json';

/** The address of a `ferry web` still running on the profile DIR, if any. */
function alreadyRunning(profileDir: string): string | undefined {
  let noted: { pid?: unknown; origin?: unknown };
  try {
    noted = JSON.parse(readFileSync(join(profileDir, RUNNING_FILE), 'utf8')) as typeof noted;
  } catch {
    return undefined;
  }
  if (typeof noted.pid !== 'number' || typeof noted.origin !== 'string') return undefined;
  if (noted.pid === process.pid) return undefined;
  try {
    process.kill(noted.pid, 0); // is it still running? (a note left by a crash is ignored)
    return noted.origin;
  } catch {
    return undefined;
  }
}

/** `ferry web [--port N]`: the migration web app on 127.0.0.1, for the profile. */
export function registerWebCommand(program: Command): void {
  program
    .command('web')
    .description('open the migration web app (on 127.0.0.1 only, with an access token)')
    .option('--port <n>', `port on 127.0.0.1 (default ${DEFAULT_WEB_PORT}, or a free one if taken)`)
    .option('--no-connect', 'do not connect the enabled accounts when the app starts')
    .action(async (_opts, cmd: Command) => {
      const opts = cmd.optsWithGlobals<{ port?: string; connect: boolean; profile?: string }>();
      const profileDir = resolveProfileDir(opts.profile);
      const explicit = opts.port !== undefined ? parsePort(opts.port) : undefined;
      const running = alreadyRunning(profileDir);
      if (running !== undefined) {
        throw new UserFacingError(
          `ferry web is already running for this profile, at ${running}/`,
          'Open the address it printed in its terminal (with its access token), or stop it there with Ctrl+C first.',
          EXIT.failure,
        );
      }
      let app: RunningWebApp;
      try {
        app = await startWebApp({
          profileDir,
          port: explicit ?? DEFAULT_WEB_PORT,
          connect: opts.connect,
        });
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        if (code !== 'EADDRINUSE') throw err;
        if (explicit !== undefined) {
          throw new UserFacingError(
            `port ${explicit} is already in use`,
            'Choose another with --port N, or --port 0 for any free port.',
            EXIT.failure,
          );
        }
        app = await startWebApp({ profileDir, port: 0, connect: opts.connect });
      }
      const note = join(profileDir, RUNNING_FILE);
      writeFileSync(note, JSON.stringify({ pid: process.pid, origin: new URL(app.url).origin }), {
        mode: 0o600,
      });
      process.stdout.write(
        `ferry web app for the profile ${profileDir}\n\n    ${app.url}\n\n` +
          'Open this address in a browser on this computer (it holds the access token).\n' +
          'Press Ctrl+C to stop.\n',
      );
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          process.stdout.write('Stopping…\n');
          rmSync(note, { force: true });
          void app.close().then(resolve, resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
