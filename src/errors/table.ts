/**
 * ferry's one error vocabulary: every typed error of every layer, by a stable code
 * (`family.code`, e.g. `format.wrong-password`, `store.busy`, `remote.auth`), with what each
 * interface makes of it — the web page's kind, the CLI's exit code, an HTTP status, the CLI's
 * words and the web app's words. The CLI (cli/failure.ts) and the web app (web/user-errors.ts) both
 * read this table; nothing else turns errors into words.
 *
 * Only the layers' errors modules are imported here (no SQLite, no XMPP, no OMEMO behind them), so
 * the CLI can load the table for every command. errors.test.ts checks that every error class those
 * modules export belongs to a family below; the compiler checks that a family names every code of
 * its class.
 */
import { CebError, type CebErrorCode } from '../format/errors.js';
import { StoreError, type StoreErrorCode } from '../store/errors.js';
import { RemoteStorageError, type RemoteErrorCode } from '../migration/remote/errors.js';
import { UnsafeMediaPathError } from '../migration/media/errors.js';
import { ClientError, KeyFileError, RecordError, type ClientErrorCode } from '../clients/errors.js';
import { ExportError, TimeZoneError } from '../export/errors.js';
import {
  InvalidKeyError,
  MalformedOmemoError,
  OmemoEncryptError,
  SignalError,
  type SignalErrorCode,
} from '../omemo/errors.js';
import {
  CertificateError,
  ConnectError,
  DatabaseClosedError,
  EngineError,
  NoMechanismError,
  NoTlsError,
  SASLError,
  SaslDowngradeError,
  ServerUnreachableError,
} from '../xmpp/errors.js';
import { EXIT, type ExitCode } from './exit-codes.js';

/** Stable kind for the web page (e.g. to reopen the password dialog on a wrong password). */
export type PageErrorKind =
  | 'wrong-password'
  | 'damaged'
  | 'unsupported-version'
  | 'not-a-backup'
  | 'account-exists'
  | 'busy'
  | 'unreachable'
  | 'login-failed'
  | 'wrong-credentials'
  | 'connection-lost'
  | 'not-found'
  | 'invalid'
  | 'failed';

/** What the operation that failed leaves behind, for hints that say so ("Nothing was imported."). */
export interface FailureContext {
  nothingChanged?: string;
}

type Text<E> = string | ((err: E, ctx: FailureContext) => string);

/** One row of the table: what an error is, for each interface. */
export interface ErrorEntry<E extends Error> {
  kind: PageErrorKind | ((err: E) => PageErrorKind);
  /** The `ferry` command's exit code. */
  exit: ExitCode;
  /** The HTTP status the web app answers with when the error ends a request on its own. */
  http: number;
  /** What the terminal prints: `message` (default: the error's own message), then `hint`. */
  cli: { message?: Text<E>; hint: Text<E> };
  /** What the web page shows (default message: the error's own). */
  web: { message?: Text<E>; hint: Text<E> };
  /** The hint says what the failed operation left unchanged (FailureContext). */
  saysWhatChanged?: true;
}

/** A class of errors the table covers (abstract bases included). */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- any class, abstract too
export type ErrorClass = Function & { prototype: Error };

/** An error found in the table, with the words of each interface worked out. */
export interface TableMatch {
  /** Stable code, `family.code`. */
  code: string;
  kind: PageErrorKind;
  exit: ExitCode;
  http: number;
  saysWhatChanged: boolean;
  cli(ctx?: FailureContext): { message: string; hint: string };
  web(): { message: string; hint: string };
}

export interface ErrorFamily {
  /** The code prefix, e.g. `format`. */
  family: string;
  /** The layer (src/NAME) whose errors module defines the classes. */
  layer: string;
  /** The classes it covers: each, or a subclass of it, is matched. */
  classes: ErrorClass[];
  /** The codes of the family's rows, without the prefix. */
  codes: string[];
  /** The row of `err` if it belongs to this family. */
  match(err: unknown): TableMatch | undefined;
}

function text<E>(t: Text<E> | undefined, err: E, ctx: FailureContext, fallback: string): string {
  if (t === undefined) return fallback;
  return typeof t === 'string' ? t : t(err, ctx);
}

function family<E extends Error, C extends string>(spec: {
  family: string;
  layer: string;
  classes: ErrorClass[];
  is(err: unknown): err is E;
  code(err: E): C;
  rows: Record<C, ErrorEntry<E>>;
}): ErrorFamily {
  return {
    family: spec.family,
    layer: spec.layer,
    classes: spec.classes,
    codes: Object.keys(spec.rows),
    match(err) {
      if (!spec.is(err)) return undefined;
      const code = spec.code(err);
      const row = spec.rows[code];
      if (row === undefined) return undefined;
      return {
        code: `${spec.family}.${code}`,
        kind: typeof row.kind === 'string' ? row.kind : row.kind(err),
        exit: row.exit,
        http: row.http,
        saysWhatChanged: row.saysWhatChanged === true,
        cli: (ctx = {}) => ({
          message: text(row.cli.message, err, ctx, err.message),
          hint: text(row.cli.hint, err, ctx, ''),
        }),
        web: () => ({
          message: text(row.web.message, err, {}, err.message),
          hint: text(row.web.hint, err, {}, ''),
        }),
      };
    },
  };
}

/** A family of one class with one row. */
function single<E extends Error>(spec: {
  family: string;
  layer: string;
  type: abstract new (...args: never[]) => E;
  code: string;
  row: ErrorEntry<E>;
}): ErrorFamily {
  return family<E, string>({
    family: spec.family,
    layer: spec.layer,
    classes: [spec.type],
    is: (err): err is E => err instanceof spec.type,
    code: () => spec.code,
    rows: { [spec.code]: spec.row },
  });
}

/** " Nothing was imported." — what the operation left unchanged, when the caller said. */
function unchanged(ctx: FailureContext): string {
  return ctx.nothingChanged !== undefined ? ` ${ctx.nothingChanged}` : '';
}

const ownHint = (err: { hint: string }): string => err.hint;

const backupFile = family<CebError, CebErrorCode>({
  family: 'format',
  layer: 'format',
  // The media companion's errors (migration/media/errors.ts) are CebErrors with the same codes.
  classes: [CebError],
  is: (err): err is CebError => err instanceof CebError,
  code: (err) => err.code,
  rows: {
    'wrong-password': {
      kind: 'wrong-password',
      exit: EXIT.wrongPassword,
      http: 422,
      cli: {
        hint: 'The backup is encrypted with the account password it had when the backup was made; try that one.',
      },
      web: {
        message: 'Wrong password: this backup does not open with it.',
        hint: 'Enter the account password the account had when the backup was made.',
      },
    },
    damaged: {
      kind: 'damaged',
      exit: EXIT.damaged,
      http: 422,
      cli: {
        hint: 'The file is damaged or incomplete; copy it again from the old device and retry.',
      },
      web: {
        message: 'The backup file is damaged or incomplete. Nothing was imported.',
        hint: 'Copy the file again from the old device and retry.',
      },
    },
    'malformed-content': {
      kind: 'damaged',
      exit: EXIT.damaged,
      http: 422,
      cli: {
        hint: 'The file decrypts but holds something Conversations does not write; it was not imported.',
      },
      web: {
        message: 'The backup file is damaged or incomplete. Nothing was imported.',
        hint: 'Copy the file again from the old device and retry.',
      },
    },
    'unsupported-version': {
      kind: 'unsupported-version',
      exit: EXIT.unsupportedVersion,
      http: 422,
      cli: { hint: 'This backup was made by a newer app; update ferry.' },
      web: {
        message: 'This backup was made by a newer app than this ferry.',
        hint: 'Update ferry, then import it again.',
      },
    },
    'not-a-backup': {
      kind: 'not-a-backup',
      exit: EXIT.notABackup,
      http: 422,
      cli: { hint: 'Choose a .ceb file made by Conversations, Quicksy or ferry.' },
      web: {
        message: 'This file is not a Conversations backup.',
        hint: 'Choose a .ceb file made by Conversations, Quicksy or ferry.',
      },
    },
    'too-long': {
      kind: 'invalid',
      exit: EXIT.failure,
      http: 400,
      cli: { hint: 'Shorten the value and try again.' },
      web: { hint: 'Shorten the value and try again.' },
    },
  },
});

const store = family<StoreError, StoreErrorCode>({
  family: 'store',
  layer: 'store',
  classes: [StoreError],
  is: (err): err is StoreError => err instanceof StoreError,
  code: (err) => err.code,
  rows: {
    busy: {
      kind: 'busy',
      exit: EXIT.busy,
      http: 409,
      cli: {
        hint: 'Wait for it to finish (one operation at a time per profile), then run this again.',
      },
      web: {
        message: 'Another operation is running on this profile.',
        hint: 'Wait until it has finished (or stop the other ferry), then try again.',
      },
    },
    'account-exists': {
      kind: 'account-exists',
      exit: EXIT.accountExists,
      http: 409,
      cli: {
        hint:
          'A backup is only for moving to a device that does not have the account yet: running the ' +
          'same account on two devices ("cloning") breaks its OMEMO sessions. To replace it, use ' +
          'a fresh profile (--profile DIR).',
      },
      web: {
        message: 'This account is already set up on this device. Nothing was imported.',
        hint: 'A backup restores an account that is not here yet; importing it twice would clone it.',
      },
    },
    'account-not-found': {
      kind: 'invalid',
      exit: EXIT.usage,
      http: 404,
      cli: { hint: 'See `ferry account list`.' },
      web: {
        message: 'This account is not on this device.',
        hint: 'Reload the page to see the current accounts.',
      },
    },
    'invalid-jid': {
      kind: 'invalid',
      exit: EXIT.usage,
      http: 400,
      cli: { hint: 'Give the bare address, e.g. kim@example.org.' },
      web: { hint: 'Enter the address like kim@example.org.' },
    },
    'profile-too-new': {
      kind: 'failed',
      exit: EXIT.failure,
      http: 500,
      cli: { hint: 'Update ferry to open this profile.' },
      web: {
        message: 'This profile was written by a newer ferry.',
        hint: 'Update ferry to use it.',
      },
    },
    'conflicting-data': {
      kind: 'failed',
      exit: EXIT.failure,
      http: 409,
      saysWhatChanged: true,
      cli: { hint: (_err, ctx) => ctx.nothingChanged ?? 'Nothing was changed.' },
      web: {
        message: 'What the backup holds clashes with what is on this device. Nothing was imported.',
        hint: 'Import it into a fresh profile (ferry --profile DIR web).',
      },
    },
  },
});

const remote = family<RemoteStorageError, RemoteErrorCode>({
  family: 'remote',
  layer: 'migration',
  classes: [RemoteStorageError],
  is: (err): err is RemoteStorageError => err instanceof RemoteStorageError,
  code: (err) => err.code,
  rows: {
    auth: {
      kind: 'wrong-credentials',
      exit: EXIT.network,
      http: 401,
      cli: { hint: ownHint },
      web: {
        message: 'The cloud folder refused the user name or password.',
        hint: 'Check both; Nextcloud and ownCloud want an app password (Settings → Security) when two-factor login is on.',
      },
    },
    network: {
      kind: (err) => (err.unreachable ? 'unreachable' : 'connection-lost'),
      exit: EXIT.network,
      http: 502,
      cli: { hint: ownHint },
      web: {
        message: (err) =>
          err.unreachable
            ? 'The cloud server is unreachable.'
            : 'The connection to the cloud server dropped. No partial file was kept.',
        hint: (err) =>
          err.unreachable
            ? 'Check the folder address and the network connection, then try again.'
            : 'Check the network connection and try again.',
      },
    },
    'not-found': {
      kind: 'not-found',
      exit: EXIT.failure,
      http: 404,
      cli: { hint: ownHint },
      web: {
        message: 'This folder is not on the cloud server.',
        hint: 'Check the folder address (for Nextcloud: https://HOST/remote.php/dav/files/USER/FOLDER/).',
      },
    },
    'bad-url': {
      kind: 'invalid',
      exit: EXIT.usage,
      http: 400,
      cli: { hint: ownHint },
      web: {
        message: 'This is not a cloud folder address.',
        hint: 'Enter it like https://cloud.example.org/remote.php/dav/files/kim/Backups/ — without the user name or password in it.',
      },
    },
    verify: {
      kind: 'damaged',
      exit: EXIT.network,
      http: 502,
      cli: { hint: ownHint },
      web: {
        message: 'The file arrived incomplete or changed, so it was not kept.',
        hint: 'Try again; if it happens again, the server may be out of space.',
      },
    },
    exists: {
      kind: 'failed',
      exit: EXIT.failure,
      http: 409,
      cli: { hint: ownHint },
      web: {
        message: 'A different file with the same name is already there. Nothing was replaced.',
        hint: 'Move the other file away, then try again.',
      },
    },
    server: {
      kind: 'failed',
      exit: EXIT.network,
      http: 502,
      cli: { hint: ownHint },
      web: { message: (err) => `The cloud server failed: ${err.message}.`, hint: ownHint },
    },
  },
});

const unsafeMediaPath = single({
  family: 'media',
  layer: 'migration',
  type: UnsafeMediaPathError,
  code: 'unsafe-media-path',
  row: {
    kind: 'failed',
    exit: EXIT.damaged,
    http: 422,
    cli: {
      hint: 'The backup names a file outside the media folder; it was refused, nothing was written there.',
    },
    web: { hint: 'The backup names a file outside the media folder; it was refused.' },
  },
});

const clients = family<ClientError, ClientErrorCode>({
  family: 'clients',
  layer: 'clients',
  classes: [ClientError],
  is: (err): err is ClientError => err instanceof ClientError,
  code: (err) => err.code,
  rows: {
    'would-clone': {
      kind: 'failed',
      exit: EXIT.accountExists,
      http: 409,
      cli: { hint: ownHint },
      web: { hint: ownHint },
    },
    'no-such-account': {
      kind: 'failed',
      exit: EXIT.usage,
      http: 404,
      cli: { hint: ownHint },
      web: { hint: ownHint },
    },
    'target-not-empty': {
      kind: 'failed',
      exit: EXIT.usage,
      http: 409,
      cli: { hint: ownHint },
      web: { hint: ownHint },
    },
    'unusable-account': {
      kind: 'failed',
      exit: EXIT.usage,
      http: 422,
      cli: { hint: ownHint },
      web: { hint: ownHint },
    },
    'damaged-home': {
      kind: 'failed',
      exit: EXIT.damaged,
      http: 422,
      cli: { hint: ownHint },
      web: { hint: ownHint },
    },
  },
});

const otherClientFile = (what: string): ErrorEntry<Error> => ({
  kind: 'failed',
  exit: EXIT.damaged,
  http: 422,
  cli: {
    hint: `The other client's ${what} is damaged; nothing was taken from it. Check the folder you named.`,
  },
  web: { hint: `The other client's ${what} is damaged; nothing was taken from it.` },
});

const signalRecord = single({
  family: 'clients',
  layer: 'clients',
  type: RecordError,
  code: 'not-a-signal-record',
  row: otherClientFile('OMEMO data'),
});

const keyFile = single({
  family: 'clients',
  layer: 'clients',
  type: KeyFileError,
  code: 'damaged-key-file',
  row: otherClientFile('settings file'),
});

const exportFailure = single({
  family: 'export',
  layer: 'export',
  type: ExportError,
  code: 'export-failed',
  row: {
    kind: 'failed',
    exit: EXIT.failure,
    http: 422,
    cli: { hint: ownHint },
    web: { hint: ownHint },
  },
});

const timeZone = single({
  family: 'export',
  layer: 'export',
  type: TimeZoneError,
  code: 'unknown-time-zone',
  row: {
    kind: 'failed',
    exit: EXIT.usage,
    http: 400,
    cli: { hint: 'Name the zone as the tz database does, e.g. Europe/Berlin or UTC.' },
    web: { hint: 'Choose a time zone like Europe/Berlin or UTC.' },
  },
});

const omemoEncrypt = single({
  family: 'omemo',
  layer: 'omemo',
  type: OmemoEncryptError,
  code: 'cannot-encrypt',
  row: {
    kind: 'failed',
    exit: EXIT.failure,
    http: 502,
    cli: {
      message: (err) => `not sent: ${err.message}`,
      hint:
        'Trust one of their devices first (ferry omemo fingerprints --contact JID, then ferry omemo ' +
        'trust JID FINGERPRINT), or send unencrypted on purpose with --no-omemo.',
    },
    web: {
      message: (err) => `Not sent: ${err.message}.`,
      hint:
        'Trust one of the contact’s devices first (ferry omemo fingerprints, then ferry omemo trust), ' +
        'or send unencrypted on purpose (ferry send --no-omemo).',
    },
  },
});

const omemoData = (what: string): ErrorEntry<Error> => ({
  kind: 'failed',
  exit: EXIT.failure,
  http: 502,
  cli: { hint: `The contact's device sent ${what} ferry cannot use; ask them to send again.` },
  web: { hint: `The contact's device sent ${what} ferry cannot use; ask them to send again.` },
});

const malformedOmemo = single({
  family: 'omemo',
  layer: 'omemo',
  type: MalformedOmemoError,
  code: 'malformed-omemo',
  row: omemoData('an OMEMO element'),
});

const curveKey = single({
  family: 'omemo',
  layer: 'omemo',
  type: InvalidKeyError,
  code: 'invalid-curve-key',
  row: omemoData('a key'),
});

/** Signal's failures: met while decrypting, where they mark a message; here should one escape. */
const signalRow: ErrorEntry<SignalError> = {
  kind: 'failed',
  exit: EXIT.failure,
  http: 502,
  cli: {
    message: (err) => `OMEMO: ${err.message}`,
    hint: 'See the sessions with ferry omemo fingerprints; ferry repairs a broken session on the next message.',
  },
  web: {
    message: (err) => `OMEMO: ${err.message}`,
    hint: 'ferry repairs a broken session on the next message; send again.',
  },
};

const signal = family<SignalError, SignalErrorCode>({
  family: 'signal',
  layer: 'omemo',
  classes: [SignalError],
  is: (err): err is SignalError => err instanceof SignalError,
  code: (err) => err.code,
  rows: {
    'duplicate-message': signalRow,
    'invalid-message': signalRow,
    'no-session': signalRow,
    'invalid-key-id': signalRow,
    'invalid-key': signalRow,
    'untrusted-identity': {
      ...signalRow,
      cli: {
        hint: 'Check the contact’s fingerprints (ferry omemo fingerprints --contact JID) and trust the right one.',
      },
    },
  },
});

type EngineErrorCode = EngineError['code'];

const engine = family<EngineError, EngineErrorCode>({
  family: 'engine',
  layer: 'xmpp',
  classes: [EngineError],
  is: (err): err is EngineError => err instanceof EngineError,
  code: (err) => err.code,
  rows: {
    'unknown-account': {
      kind: 'failed',
      exit: EXIT.usage,
      http: 404,
      cli: { hint: 'See `ferry account list`.' },
      web: { hint: 'Reload the page to see the current accounts.' },
    },
    'account-disabled': {
      kind: 'failed',
      exit: EXIT.usage,
      http: 409,
      cli: { hint: (err) => `Enable it first: ferry account enable ${err.jid ?? 'JID'}` },
      web: { hint: 'Enable the account on the Accounts screen first.' },
    },
    'not-joined': {
      kind: 'failed',
      exit: EXIT.network,
      http: 502,
      cli: {
        hint: 'The room may be gone, members-only, or your nickname taken; check with another client.',
      },
      web: {
        hint: 'The room may be gone, members-only, or your nickname taken; check with another client.',
      },
    },
    'not-connected': {
      kind: 'unreachable',
      exit: EXIT.network,
      http: 502,
      cli: { hint: 'Check `ferry account list` for why.' },
      web: {
        message: 'The account is not connected, so the message was not sent.',
        hint: 'Enable the account on the Accounts screen and wait until it is online.',
      },
    },
  },
});

/** A connection failure: normally said as the account's state (xmpp/login-errors.ts). */
function connection<E extends Error>(
  type: abstract new (...args: never[]) => E,
  code: string,
  refused: boolean,
  hint: string,
): ErrorFamily {
  return single({
    family: 'xmpp',
    layer: 'xmpp',
    type,
    code,
    row: {
      kind: 'failed',
      // Refused (password, certificate, TLS): trying again won't help, unlike a network failure.
      exit: refused ? EXIT.failure : EXIT.network,
      http: 502,
      cli: { hint },
      web: { hint },
    },
  });
}

const xmpp: ErrorFamily[] = [
  connection(
    ConnectError,
    'connect-failed',
    false,
    'See `ferry account list` for why, then try again.',
  ),
  connection(
    ServerUnreachableError,
    'server-unreachable',
    false,
    'Check the network connection and the server address, then try again.',
  ),
  connection(
    SASLError,
    'sasl-failure',
    true,
    'Check the password (the one the account had on the old device).',
  ),
  connection(
    NoMechanismError,
    'no-sasl-mechanism',
    true,
    'The server offers no way of logging in that ferry may use on this connection.',
  ),
  connection(
    CertificateError,
    'certificate-refused',
    true,
    'Nothing was sent. If you know this certificate is the server’s, trust it with ferry account trust-cert.',
  ),
  connection(
    NoTlsError,
    'no-tls',
    true,
    'Nothing was sent: ferry sends a password only over an encrypted connection.',
  ),
  connection(
    SaslDowngradeError,
    'sasl-downgrade',
    true,
    'Nothing was sent: the server offers a weaker login than before; check with its administrator.',
  ),
  single({
    family: 'xmpp',
    layer: 'xmpp',
    type: DatabaseClosedError,
    code: 'database-closed',
    row: {
      kind: 'failed',
      exit: EXIT.failure,
      http: 503,
      cli: { hint: 'ferry was stopping; run the command again.' },
      web: { hint: 'ferry was stopping; try again.' },
    },
  }),
];

type Errno = Error & { code: string; path?: string };

function errno(err: unknown): Errno | undefined {
  if (!(err instanceof Error) || !('code' in err)) return undefined;
  return typeof err.code === 'string' ? (err as Errno) : undefined;
}

const DISK_FULL = new Set(['ENOSPC', 'SQLITE_FULL', 'EDQUOT']);
const NETWORK = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'ECONNRESET']);
const PATH_CODES = new Set(['ENOENT', 'ENOTDIR', 'EISDIR']);
const PERMISSION = new Set(['EACCES', 'EPERM', 'EROFS']);

type SystemCode =
  | 'no-such-file'
  | 'not-a-folder'
  | 'is-a-folder'
  | 'permission-denied'
  | 'read-only'
  | 'disk-full'
  | 'unreachable';

function systemCode(err: Errno): SystemCode | undefined {
  if (DISK_FULL.has(err.code)) return 'disk-full';
  if (NETWORK.has(err.code)) return 'unreachable';
  if (err.code === 'EROFS') return 'read-only';
  if (PERMISSION.has(err.code)) return 'permission-denied';
  // A missing path without the path named is not the person's: it stays "unexpected".
  if (!PATH_CODES.has(err.code) || err.path === undefined) return undefined;
  return err.code === 'ENOENT'
    ? 'no-such-file'
    : err.code === 'ENOTDIR'
      ? 'not-a-folder'
      : 'is-a-folder';
}

const fileProblem = (row: Omit<ErrorEntry<Errno>, 'web' | 'http'>): ErrorEntry<Errno> => ({
  ...row,
  http: 400,
  web: { message: row.cli.message, hint: 'Check the path and try again.' },
});

/** The operating system's and SQLite's errors a person can act on (file system, disk, network). */
const system = family<Errno, SystemCode>({
  family: 'system',
  layer: '(node, SQLite)',
  classes: [],
  is: (err): err is Errno => {
    const e = errno(err);
    return e !== undefined && systemCode(e) !== undefined;
  },
  code: (err) => systemCode(err) as SystemCode,
  rows: {
    'no-such-file': fileProblem({
      kind: 'failed',
      exit: EXIT.usage,
      cli: {
        message: (err) => `no such file or folder: ${err.path}`,
        hint: 'Check the path (spelling, and the folder you run ferry in).',
      },
    }),
    'not-a-folder': fileProblem({
      kind: 'failed',
      exit: EXIT.usage,
      cli: {
        message: (err) => `${err.path}: part of this path is a file, not a folder`,
        hint: 'Check the path.',
      },
    }),
    'is-a-folder': fileProblem({
      kind: 'failed',
      exit: EXIT.usage,
      cli: {
        message: (err) => `${err.path} is a folder, not a file`,
        hint: 'Name a file inside it (ls it to see what is there).',
      },
    }),
    'permission-denied': {
      kind: 'failed',
      exit: EXIT.failure,
      http: 403,
      saysWhatChanged: true,
      cli: {
        message: (err) =>
          err.path !== undefined ? `permission denied: ${err.path}` : 'permission denied',
        hint: (_err, ctx) =>
          `Check its permissions (ls -l), or choose a file or folder you may read and write.${unchanged(ctx)}`,
      },
      web: {
        message: (err) =>
          err.path !== undefined ? `Permission denied: ${err.path}.` : 'Permission denied.',
        hint: 'Check the permissions of the profile folder, or choose a file you may read.',
      },
    },
    'read-only': {
      kind: 'failed',
      exit: EXIT.failure,
      http: 403,
      saysWhatChanged: true,
      cli: {
        message: (err) =>
          err.path !== undefined ? `${err.path} is on a read-only disk` : 'the disk is read-only',
        hint: (_err, ctx) => `Choose a folder you can write to.${unchanged(ctx)}`,
      },
      web: {
        message: 'The disk is read-only.',
        hint: 'Start ferry with a profile on a disk it can write to.',
      },
    },
    'disk-full': {
      kind: 'failed',
      exit: EXIT.failure,
      http: 507,
      saysWhatChanged: true,
      cli: {
        message: 'the disk is full',
        hint: (_err, ctx) => `Free some space and run this again.${unchanged(ctx)}`,
      },
      web: { message: 'The disk is full.', hint: 'Free some space, then try again.' },
    },
    unreachable: {
      kind: 'unreachable',
      exit: EXIT.network,
      http: 502,
      cli: {
        message: (err) => `the server is unreachable (${err.code})`,
        hint: 'Check the network connection and the server address, then try again.',
      },
      web: {
        message: 'The server is unreachable.',
        hint: 'Check the network connection and the server address, then try again.',
      },
    },
  },
});

/** Every family, in the order they are tried. */
export const ERROR_FAMILIES: readonly ErrorFamily[] = [
  backupFile,
  store,
  remote,
  unsafeMediaPath,
  clients,
  signalRecord,
  keyFile,
  exportFailure,
  timeZone,
  omemoEncrypt,
  malformedOmemo,
  curveKey,
  signal,
  engine,
  ...xmpp,
  system,
];

/** The row of `err`, or undefined when the table does not know it (a bug in ferry). */
export function findError(err: unknown): TableMatch | undefined {
  for (const f of ERROR_FAMILIES) {
    const found = f.match(err);
    if (found) return found;
  }
  return undefined;
}

/** Every code in the table (for docs and tests). */
export function errorCodes(): string[] {
  return ERROR_FAMILIES.flatMap((f) => f.codes.map((c) => `${f.family}.${c}`));
}
