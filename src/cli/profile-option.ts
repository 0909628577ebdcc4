import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * The profile (a "device") to work on: `--profile DIR`, else `FERRY_PROFILE`, else
 * `$XDG_DATA_HOME/ferry`, else `~/.local/share/ferry`.
 */
export function resolveProfileDir(option: string | undefined): string {
  if (option) return resolve(option);
  const env = process.env.FERRY_PROFILE;
  if (env) return resolve(env);
  const xdg = process.env.XDG_DATA_HOME;
  return join(xdg && xdg !== '' ? xdg : join(homedir(), '.local', 'share'), 'ferry');
}
