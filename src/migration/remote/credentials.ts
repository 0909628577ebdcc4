import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { RemoteStorageError } from './errors.js';

export interface WebdavCredentials {
  username: string;
  password: string;
  /** Where they came from (never the values themselves), for messages. */
  source: 'environment' | 'netrc' | 'prompt';
}

export interface CredentialSources {
  /** `--netrc FILE`; without it `~/.netrc` is read when it exists. */
  netrcFile?: string;
  env?: NodeJS.ProcessEnv;
  home?: string;
  /** Asks the person (visible for the user name, hidden for the password); absent when not a terminal. */
  prompt?: (question: string, hidden: boolean) => Promise<string>;
}

/**
 * Credentials for a WebDAV folder, in this order: `FERRY_WEBDAV_USER` + `FERRY_WEBDAV_PASSWORD`,
 * the netrc file's entry for the URL's host (or its `default`), a prompt. Null: no credentials
 * (anonymous access). Credentials written into the URL are refused: they would end up in shell
 * history, process lists and logs.
 */
export async function resolveWebdavCredentials(
  url: URL,
  sources: CredentialSources = {},
): Promise<WebdavCredentials | null> {
  if (url.username !== '' || url.password !== '') {
    throw new RemoteStorageError(
      'bad-url',
      'the WebDAV URL contains a user name or password',
      'Remove them from the URL; use FERRY_WEBDAV_USER/FERRY_WEBDAV_PASSWORD, a netrc file (--netrc FILE) or the prompt.',
    );
  }
  const env = sources.env ?? process.env;
  const user = env.FERRY_WEBDAV_USER;
  const password = env.FERRY_WEBDAV_PASSWORD;
  if (user !== undefined && user !== '' && password !== undefined) {
    return { username: user, password, source: 'environment' };
  }
  const netrcPath = sources.netrcFile ?? join(sources.home ?? homedir(), '.netrc');
  let netrcText: string | null = null;
  try {
    netrcText = await readFile(netrcPath, 'utf8');
  } catch {
    if (sources.netrcFile !== undefined) {
      throw new RemoteStorageError(
        'bad-url',
        `cannot read the netrc file ${sources.netrcFile}`,
        'Check the path given to --netrc.',
      );
    }
  }
  if (netrcText !== null) {
    const entry = findNetrcEntry(parseNetrc(netrcText), url.hostname);
    if (entry?.login !== undefined && entry.password !== undefined) {
      return { username: entry.login, password: entry.password, source: 'netrc' };
    }
  }
  if (sources.prompt) {
    const username =
      user !== undefined && user !== ''
        ? user
        : await sources.prompt(`WebDAV user for ${url.host}: `, false);
    if (username === '') return null;
    const secret = await sources.prompt(`WebDAV password for ${username} at ${url.host}: `, true);
    return { username, password: secret, source: 'prompt' };
  }
  return null;
}

export interface NetrcEntry {
  /** null for the `default` entry. */
  machine: string | null;
  login?: string;
  password?: string;
}

/** Parses a netrc file (`machine HOST login USER password PASS`, `default …`, `macdef` skipped). */
export function parseNetrc(text: string): NetrcEntry[] {
  const entries: NetrcEntry[] = [];
  const lines = text.split(/\r?\n/);
  const tokens: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (/^\s*#/.test(line)) continue;
    // Words, or "double-quoted strings" (with \" and \\ escapes), as curl reads them.
    const words = [...line.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) =>
      m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? ''),
    );
    const macdef = words.indexOf('macdef');
    if (macdef >= 0) {
      tokens.push(...words.slice(0, macdef));
      // A macro runs until the next empty line.
      while (i + 1 < lines.length && (lines[i + 1] ?? '').trim() !== '') i++;
      continue;
    }
    tokens.push(...words);
  }
  let current: NetrcEntry | null = null;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token === 'machine') {
      current = { machine: tokens[++i] ?? '' };
      entries.push(current);
    } else if (token === 'default') {
      current = { machine: null };
      entries.push(current);
    } else if (current && token === 'login') {
      current.login = tokens[++i] ?? '';
    } else if (current && token === 'password') {
      current.password = tokens[++i] ?? '';
    } else if (token === 'account') {
      i++;
    }
  }
  return entries;
}

export function findNetrcEntry(entries: NetrcEntry[], host: string): NetrcEntry | undefined {
  const lower = host.toLowerCase();
  return (
    entries.find((e) => e.machine?.toLowerCase() === lower) ??
    entries.find((e) => e.machine === null)
  );
}
