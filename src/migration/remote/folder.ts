import { createClient, type FileStat, type WebDAVClient } from 'webdav';
import type { WebdavCredentials } from './credentials.js';
import { RemoteStorageError, toRemoteError } from './errors.js';

/** A folder on a WebDAV server (Nextcloud, ownCloud, rclone serve webdav, …). */
export interface RemoteFolder {
  /** The folder's URL without credentials, query or fragment: safe to print. */
  display: string;
  client: WebDAVClient;
  /** The folder's path on the server, decoded, ending in `/`. */
  path: string;
}

export function parseFolderUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new RemoteStorageError(
      'bad-url',
      `not a URL: ${safeUrlText(text)}`,
      'Give the folder as https://HOST/PATH/.',
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new RemoteStorageError(
      'bad-url',
      `not a WebDAV URL: ${url.protocol} is not http or https`,
      'Give the folder as https://HOST/PATH/ (for Nextcloud: https://HOST/remote.php/dav/files/USER/FOLDER).',
    );
  }
  return url;
}

/** Shows a URL without the user name and password that may be written into it. */
export function safeUrlText(text: string): string {
  try {
    const url = new URL(text);
    url.username = '';
    url.password = '';
    url.search = '';
    url.hash = '';
    return url.toString();
  } catch {
    return text.replace(/\/\/[^/@]*@/, '//');
  }
}

export function openRemoteFolder(url: URL, credentials: WebdavCredentials | null): RemoteFolder {
  const path = decodeURIComponent(url.pathname).replace(/\/*$/, '/');
  // Basic auth built here as UTF-8 (RFC 7617 charset=UTF-8): the client library's own encoder only
  // takes Latin-1, and passwords are often not.
  const headers: Record<string, string> = credentials
    ? {
        Authorization: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64')}`,
      }
    : {};
  const client = createClient(url.origin, { headers });
  return { display: safeUrlText(url.toString()).replace(/\/*$/, '/'), client, path };
}

export function remotePath(folder: RemoteFolder, name: string): string {
  if (name.includes('/') || name === '' || name === '.' || name === '..') {
    throw new RemoteStorageError(
      'bad-url',
      `not a plain file name: ${name}`,
      'This is a bug in ferry.',
    );
  }
  return folder.path + name;
}

/** The files in the folder (PROPFIND, depth 1). */
export async function listFolder(folder: RemoteFolder): Promise<FileStat[]> {
  try {
    const items = (await folder.client.getDirectoryContents(folder.path)) as FileStat[];
    return items.filter((i) => i.type === 'file');
  } catch (err) {
    throw toRemoteError(err, 'listing the folder', folder.display);
  }
}

/**
 * Creates the folder and its missing parents (MKCOL), looking upward only as far as needed — on
 * Nextcloud the folders above the user's files can't be listed.
 */
export async function ensureFolder(folder: RemoteFolder): Promise<void> {
  const parts = folder.path.split('/').filter((p) => p !== '');
  const missing: string[] = [];
  try {
    for (let depth = parts.length; depth > 0; depth--) {
      const path = `/${parts.slice(0, depth).join('/')}/`;
      let there: boolean;
      try {
        there = await folder.client.exists(path);
      } catch (err) {
        const status = (err as { status?: unknown }).status;
        if (status === 401 || status === 403 || status === undefined) throw err;
        there = true; // can't be looked at (e.g. 405): take it as the existing root
      }
      if (there) break;
      missing.unshift(path);
    }
    for (const path of missing) await folder.client.createDirectory(path);
  } catch (err) {
    throw toRemoteError(err, 'creating the folder', folder.display);
  }
}

/** Size of a remote file, or null when it is not there. */
export async function remoteSize(folder: RemoteFolder, name: string): Promise<number | null> {
  try {
    const stat = (await folder.client.stat(remotePath(folder, name))) as FileStat;
    return stat.type === 'file' ? stat.size : null;
  } catch (err) {
    const status = (err as { status?: unknown }).status;
    if (status === 404) return null;
    throw toRemoteError(err, 'looking up a file', folder.display + name);
  }
}
