/**
 * What can go wrong talking to a WebDAV folder, as a person needs to hear it. `hint` says what to do.
 * Messages never contain credentials.
 */
export type RemoteErrorCode =
  | 'auth' // 401/403: wrong user name or password, or no access
  | 'not-found' // the folder or file is not there
  | 'network' // the server can't be reached or the connection dropped
  | 'verify' // what the server holds is not what was sent (truncated upload/download)
  | 'exists' // a different file with that name is already there
  | 'bad-url' // not an http(s) URL, or credentials written into it
  | 'server'; // any other answer from the server

export class RemoteStorageError extends Error {
  override name = 'RemoteStorageError';
  constructor(
    readonly code: RemoteErrorCode,
    message: string,
    readonly hint: string,
    /** For `network`: the server could not be reached at all (rather than the connection dropping). */
    readonly unreachable = false,
  ) {
    super(message);
  }
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_SOCKET',
]);

/** Turns what the WebDAV client or the network threw into a RemoteStorageError. */
export function toRemoteError(err: unknown, what: string, where: string): RemoteStorageError {
  if (err instanceof RemoteStorageError) return err;
  const e = err as {
    status?: unknown;
    code?: unknown;
    message?: unknown;
    cause?: unknown;
    type?: unknown;
  };
  const status = typeof e?.status === 'number' ? e.status : undefined;
  if (status === 401 || status === 403) {
    return new RemoteStorageError(
      'auth',
      `${what} failed: the server at ${where} refused the user name or password (HTTP ${status})`,
      'Check FERRY_WEBDAV_USER/FERRY_WEBDAV_PASSWORD or the netrc entry for this server; Nextcloud wants an app password.',
    );
  }
  if (status === 404 || status === 409) {
    return new RemoteStorageError(
      'not-found',
      `${what} failed: ${where} does not exist on the server (HTTP ${status})`,
      'Check the folder URL (for Nextcloud: https://HOST/remote.php/dav/files/USER/FOLDER).',
    );
  }
  if (status !== undefined) {
    return new RemoteStorageError(
      'server',
      `${what} failed: the server answered HTTP ${status} for ${where}`,
      'Try again later; if it persists, check the server and its free space.',
    );
  }
  const code = findCode(err);
  const message = typeof e?.message === 'string' ? e.message : String(err);
  if (
    code === 'ECONNREFUSED' ||
    code === 'ENOTFOUND' ||
    code === 'EAI_AGAIN' ||
    code === 'EHOSTUNREACH'
  ) {
    return new RemoteStorageError(
      'network',
      `${what} failed: cannot reach the server of ${where} (${code})`,
      'Check the URL and the network connection, then run the same command again.',
      true,
    );
  }
  if (
    (code !== undefined && NETWORK_CODES.has(code)) ||
    /premature close|socket|network|terminated|aborted/i.test(message)
  ) {
    return new RemoteStorageError(
      'network',
      `${what} failed: the connection to ${where} was lost${code ? ` (${code})` : ''}`,
      'Check the network and run the same command again; nothing partial was kept.',
    );
  }
  return new RemoteStorageError(
    'server',
    `${what} failed for ${where}: ${redact(message)}`,
    'Run again; if it persists, run with FERRY_DEBUG=1 and report what it prints.',
  );
}

function findCode(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const c = (current as { code?: unknown }).code;
    if (typeof c === 'string') return c;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Removes anything that looks like credentials in a URL from a message. */
export function redact(text: string): string {
  return text.replace(/(\w+:\/\/)[^/@\s]*@/g, '$1');
}
