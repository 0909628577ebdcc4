/**
 * The web app's HTTP API: every request the page sends and every answer it gets, in one place.
 *
 * `ApiRoutes` names each route as `'METHOD /path/:param'`, the way the server registers it. The
 * server registers every route through `route()` (routes/route.ts), so a handler's body, params and
 * answers are these types; the page (public/*.js, `// @ts-check`) calls `get`/`post`/`upload`/
 * `followJob`/`liveEvents` (public/api.js), whose paths and answers are derived from the same routes
 * (`GetRoutes`, `PostRoutes`, …). A field renamed here fails `npm run typecheck` on both sides.
 *
 * This file describes data only: no imports of server code except the error kinds, which come from
 * the one error table. Sizes are bytes, times milliseconds since the epoch, unless said otherwise.
 */
import type { UserError } from './user-errors.js';

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/** An error in the user's words (a failed job's `error`, a refused media file). */
export type ErrorView = UserError;
/** What the page may act on (e.g. `wrong-password` reopens the password dialog). */
export type ErrorKind = ErrorView['kind'];

/** The body of every answer with status 4xx or 5xx. */
export interface ApiErrorBody {
  /** What happened. */
  error: string;
  /** What the user can do ('' when there is nothing to add). */
  hint: string;
  kind?: ErrorKind;
}

// ---------------------------------------------------------------------------------------------
// Jobs (long operations, followed live)
// ---------------------------------------------------------------------------------------------

export type JobKind =
  'create-backup' | 'import-backup' | 'export' | 'cloud-upload' | 'cloud-download';
export type JobState = 'running' | 'done' | 'failed';

/** Progress of one item of a job (e.g. per account or per file); the latest value wins. */
export interface JobProgress {
  label: string;
  done: number;
  /** null: not known yet. */
  total: number | null;
  phase: string;
}

/** What the page sees of a long operation; sent whole on every change. */
export interface JobOf<K extends JobKind, Result, Source> {
  id: string;
  kind: K;
  state: JobState;
  startedAt: number;
  progress: Record<string, JobProgress>;
  /** Set when `state` is 'done'. */
  result?: Result;
  /** Set when `state` is 'failed'. */
  error?: ErrorView;
  /** What the job works on, as the page described it. */
  source?: Source;
}

/** Every job kind with its result and source. */
export interface Jobs {
  'create-backup': JobOf<'create-backup', CreateBackupResultView, never>;
  'import-backup': JobOf<'import-backup', ImportResultView, ImportSource>;
  export: JobOf<'export', ExportResultView, never>;
  'cloud-upload': JobOf<'cloud-upload', CloudUploadResult, CloudUploadSource>;
  'cloud-download': JobOf<'cloud-download', CloudDownloadResult, CloudDownloadSource>;
}
export type JobSnapshot = Jobs[JobKind];
export type JobResult<K extends JobKind> = NonNullable<Jobs[K]['result']>;
export type JobSource<K extends JobKind> = NonNullable<Jobs[K]['source']>;

/** A job followed live (`GET /api/jobs/:id/events`): its whole snapshot on every change. */
export interface JobEvents {
  job: JobSnapshot;
}

/** The answer of every route that starts a job. */
export interface JobStarted<K extends JobKind> {
  job: Jobs[K];
}

/** A file a finished job made, downloadable from `download`. */
export interface DownloadableFile {
  name: string;
  path: string;
  bytes: number;
  /** `/api/jobs/:id/files/:n` */
  download: string;
}

// ---------------------------------------------------------------------------------------------
// Accounts
// ---------------------------------------------------------------------------------------------

/** The states of an account's connection, as the engine reports them. */
export type ConnectionState =
  'connecting' | 'online' | 'offline' | 'login-failed' | 'unreachable' | 'insecure';
/** An account's state on the Accounts screen: disabled, enabled (not connected yet), or live. */
export type AccountState = 'disabled' | 'enabled' | ConnectionState;

/** An account as the Accounts screen shows it. */
export interface AccountView {
  jid: string;
  enabled: boolean;
  state: AccountState;
  /** What happened (same words as the CLI). */
  error?: string;
  /** What the user can do (same words as the CLI). */
  hint?: string;
  /** When the engine tries again. */
  retryAt?: number;
  /** A refused certificate's SHA-256 fingerprint, which the user may choose to trust. */
  fingerprint?: string;
  hasPassword: boolean;
  /** The server set on the account (null: found through DNS). */
  hostname: string | null;
  port: number | null;
  /** The account's plaintext-on-loopback opt-in (test servers). */
  plaintextLoopback: boolean;
}

/** Add an account; the optional fields come from a form, so empty strings mean "not set". */
export interface AddAccountRequest {
  jid: string;
  password: string;
  hostname?: string;
  /** 1..65535; empty or absent: 5222. */
  port?: string | number;
}

/** Point an account at its server; both empty: found through DNS again. */
export interface ServerSettingsRequest {
  hostname?: string | null;
  port?: string | number | null;
}

export interface TrustCertificateRequest {
  /** The SHA-256 fingerprint ferry showed for the refused certificate. */
  fingerprint: string;
}

export interface AccountsReply {
  accounts: AccountView[];
}
export interface AccountReply {
  account: AccountView;
}

/** The app's live events (`GET /api/events`, server-sent events). */
export interface LiveEvents {
  'account-state': AccountStateEvent;
  message: NewMessageEvent;
}

export interface AccountStateEvent {
  jid: string;
  state: ConnectionState;
  error?: string;
  hint?: string;
  retryAt?: number;
  fingerprint?: string;
}

/** A message was stored (received, or sent by this app). */
export interface NewMessageEvent {
  accountJid: string;
  /** Bare JID of the contact or room. */
  conversationJid: string;
  conversationUuid: string;
  uuid: string;
  source: 'live' | 'carbon' | 'mam' | 'offline' | 'sent';
}

// ---------------------------------------------------------------------------------------------
// Create backup
// ---------------------------------------------------------------------------------------------

export interface CreateBackupRequest {
  /** Default 2. */
  format?: 1 | 2;
  deactivate?: boolean;
  /** Also write each backup's media companion (`--with-media`). */
  withMedia?: boolean;
}

/** A backup file made. */
export interface BackupFileMade extends DownloadableFile {
  kind: 'backup';
  jid: string;
  format: 1 | 2;
}

/** The media companion written right after its backup (`backup` names that `.ceb`). */
export interface MediaFileMade extends DownloadableFile {
  kind: 'media';
  jid: string;
  backup: string;
  /** How many files it holds. */
  files: number;
  /** Files the chats point to that this device does not have (so not in it). */
  notOnThisDevice: number;
}

export interface CreateBackupResultView {
  outDir: string;
  /** Every backup, each followed by its media companion when one was written. */
  files: (BackupFileMade | MediaFileMade)[];
  skipped: { jid: string; reason: string }[];
  deactivated: string[];
  stillEnabled: string[];
}

// ---------------------------------------------------------------------------------------------
// Import backup
// ---------------------------------------------------------------------------------------------

/** Which backup to import: one the scan found (its path), or one uploaded (its id). */
export type BackupSource = { found: string; upload?: never } | { upload: string; found?: never };

/** A backup file the Import screen lists or was given; `source` is what the page sends back. */
export interface BackupChoice {
  source: BackupSource;
  jid: string;
  app: string;
  format: number;
  timestamp: number;
  size: number;
  path: string;
  /** The account is already on this device (importing it would clone it). */
  exists: boolean;
  /** File name of the media companion found beside it (restored with it), or null. */
  companion: string | null;
}

export interface FoundBackupsReply {
  /** The folders looked in. */
  searched: string[];
  backups: BackupChoice[];
}

export interface UploadedBackupReply {
  backup: BackupChoice;
}

/** The media companion uploaded for an uploaded backup, as its header says. */
export interface UploadedMediaReply {
  media: { name: string; jid: string; backup: string };
}

export interface ImportRequest {
  source: BackupSource;
  password: string;
}

/** The backup being imported (shown again if the password dialog reopens). */
export interface ImportSource {
  source: BackupSource;
  jid: string;
  app: string;
  format: number;
  timestamp: number;
  companion: string | null;
}

/** What the media step of an import did. */
export type MediaOutcomeView = MediaRestoredView | MediaFailedView;

export interface MediaRestoredView {
  companion: string;
  error?: undefined;
  restored: string[];
  alreadyPresent: string[];
  /** Kept as they are: a different file was already at the place. */
  conflicts: string[];
  damaged: { path: string | null; reason: string }[];
  /** The place would be outside the media folder. */
  refused: string[];
}

export interface MediaFailedView {
  companion: string;
  error: string;
}

export interface ImportResultView {
  jid: string;
  app: string;
  format: number;
  /** When the backup was made (ISO 8601). */
  createdAt: string;
  /** "3 conversations", "1 message", … with the words chosen for the count. */
  counts: { label: string; count: number }[];
  /** Files of the chats not on this device, where they belong, and a few of them. */
  missingCount: number;
  missingFolder: string;
  missingFiles: string[];
  /** null: no media companion was restored. */
  media: MediaOutcomeView | null;
}

// ---------------------------------------------------------------------------------------------
// Chats
// ---------------------------------------------------------------------------------------------

/** How a message's encryption is shown. */
export type MessageSecurity = 'none' | 'omemo' | 'unable-to-decrypt' | 'other';

export interface ConversationView {
  uuid: string;
  /** The account's JID. */
  account: string;
  with: string;
  name: string;
  group: boolean;
  archived: boolean;
}

export interface ChatSummary extends ConversationView {
  unread: number;
  lastMessage: {
    /** null when it could not be decrypted. */
    body: string | null;
    time: number;
    security: MessageSecurity;
    direction: 'in' | 'out';
  } | null;
}

export interface ChatsReply {
  conversations: ChatSummary[];
}

/** A file message as a person reads it: "Grüße.png (3.0 MiB, 2985×755)". */
export interface FileView {
  name: string;
  details: string;
  onThisDevice: boolean;
  /** Its download link when it is http(s). */
  url: string | null;
}

/** A message as the conversation shows it; an undecryptable body is never sent. */
export interface MessageView {
  uuid: string;
  time: number;
  direction: 'in' | 'out';
  sender: string | null;
  body: string | null;
  security: MessageSecurity;
  /** Conversations' message status code. */
  status: number;
  failed: boolean;
  kind: 'status' | 'call' | 'file' | 'text';
  file: FileView | null;
  edited: boolean;
}

export interface ChatReply {
  conversation: ConversationView & {
    encryption: 'omemo' | 'none' | 'mixed';
    /** A group chat's reason for its encryption state, when known. */
    encryptionReason?: string | null;
  };
  messages: MessageView[];
}

export interface SendMessageRequest {
  text: string;
}

export interface SentMessageReply {
  message: MessageView | null;
}

// ---------------------------------------------------------------------------------------------
// Export
// ---------------------------------------------------------------------------------------------

export type ExportFormat = 'txt' | 'html' | 'json' | 'sqlite';

export interface ExportOptionsReply {
  /** The accounts' JIDs. */
  accounts: string[];
  formats: { id: ExportFormat; label: string }[];
  /** Where exports are written. */
  folder: string;
}

export interface ExportRequest {
  account: string;
  format: ExportFormat;
}

export interface ExportResultView {
  account: string;
  format: ExportFormat;
  /** The folder or file written. */
  folder: string;
  conversations: number;
  messages: number;
  files: DownloadableFile[];
  /** An HTML export opened in the browser: `/api/exports/:id/view/index.html`. */
  view?: string;
  /** A folder of files is also offered as one `.zip`. */
  archive?: { name: string; files: number; bytes: number; download: string };
}

// ---------------------------------------------------------------------------------------------
// Cloud (WebDAV)
// ---------------------------------------------------------------------------------------------

/** A cloud folder; user name and password are used for this request only, never kept. */
export interface CloudFolderRequest {
  url: string;
  user?: string;
  password?: string;
}

export interface CloudPushRequest extends CloudFolderRequest {
  /** The finished create-backup job whose backups are uploaded. */
  job: string;
  /** Keep only the newest N backups of the account in the folder. */
  keep?: number | string | null;
}

export interface CloudPullRequest extends CloudFolderRequest {
  /** The remote backup file, as the listing named it. */
  name: string;
}

/** A backup in a cloud folder (only its header was read). */
export interface CloudBackup {
  name: string;
  size: number;
  jid: string | null;
  app: string | null;
  format: number | null;
  timestamp: number | null;
  companion: { name: string; size: number } | null;
  /** Why its header could not be read, or null. */
  problem: string | null;
  /** Its account is already on this device. */
  exists: boolean;
}

export interface CloudListing {
  /** The folder as shown (never with credentials). */
  folder: string;
  backups: CloudBackup[];
}

/** One file uploaded or downloaded, and verified. */
export interface TransferView {
  name: string;
  bytes: number;
  sha256: string;
  /** The same file was already there: nothing was sent. */
  unchanged: boolean;
}

export interface CloudUploadResult {
  folder: string;
  uploaded: TransferView[];
  /** Older backups removed (`keep`). */
  deleted: string[];
}

export interface CloudUploadSource {
  folder: string;
  files: string[];
}

export interface CloudDownloadResult {
  folder: string;
  outDir: string;
  downloaded: (TransferView & { path: string })[];
}

export interface CloudDownloadSource {
  folder: string;
  name: string;
  jid: string | null;
}

// ---------------------------------------------------------------------------------------------
// The routes
// ---------------------------------------------------------------------------------------------

/** A JSON route: `body` (POST), `query`, and the answer with status 200. */
export interface JsonRoute<Reply, Body = never, Query = never> {
  reply: Reply;
  body: Body;
  query: Query;
}
/** A POST of one file (multipart, field `file`); answers JSON. */
export interface UploadRoute<Reply> {
  upload: 'file';
  reply: Reply;
}
/** A file the browser downloads or opens (its bytes, not JSON); errors are JSON. */
export interface DownloadRoute {
  download: 'file';
}
/** Server-sent events: event name → its data (JSON). */
export interface EventsRoute<Events> {
  events: Events;
}

/**
 * Every route of the API. Errors (4xx, 5xx) answer {@link ApiErrorBody}; POST requests carry the
 * page's CSRF token (access.ts). The page itself, /app/* and /vendor/* are static files.
 */
export interface ApiRoutes {
  'GET /api/accounts': JsonRoute<AccountsReply>;
  'POST /api/accounts': JsonRoute<AccountReply, AddAccountRequest>;
  'POST /api/accounts/:jid/enable': JsonRoute<AccountReply>;
  'POST /api/accounts/:jid/disable': JsonRoute<AccountReply>;
  'POST /api/accounts/:jid/server': JsonRoute<AccountReply, ServerSettingsRequest>;
  'POST /api/accounts/:jid/trust-cert': JsonRoute<AccountReply, TrustCertificateRequest>;
  'GET /api/events': EventsRoute<LiveEvents>;

  'POST /api/backups': JsonRoute<JobStarted<'create-backup'>, CreateBackupRequest>;

  'GET /api/imports/found': JsonRoute<FoundBackupsReply>;
  'POST /api/imports/upload': UploadRoute<UploadedBackupReply>;
  'POST /api/imports/upload/:id/media': UploadRoute<UploadedMediaReply>;
  'POST /api/imports': JsonRoute<JobStarted<'import-backup'>, ImportRequest>;

  'GET /api/chats': JsonRoute<ChatsReply>;
  'GET /api/chats/:uuid': JsonRoute<ChatReply, never, { limit?: string }>;
  'POST /api/chats/:uuid/messages': JsonRoute<SentMessageReply, SendMessageRequest>;

  'GET /api/exports/options': JsonRoute<ExportOptionsReply>;
  'POST /api/exports': JsonRoute<JobStarted<'export'>, ExportRequest>;
  'GET /api/exports/:id/archive.zip': DownloadRoute;
  'GET /api/exports/:id/view/*': DownloadRoute;

  'POST /api/cloud/list': JsonRoute<CloudListing, CloudFolderRequest>;
  'POST /api/cloud/push': JsonRoute<JobStarted<'cloud-upload'>, CloudPushRequest>;
  'POST /api/cloud/pull': JsonRoute<JobStarted<'cloud-download'>, CloudPullRequest>;

  'GET /api/jobs': JsonRoute<{ jobs: JobSnapshot[] }, never, { kind?: JobKind }>;
  'GET /api/jobs/:id': JsonRoute<JobSnapshot>;
  'GET /api/jobs/:id/events': EventsRoute<JobEvents>;
  'GET /api/jobs/:id/files/:n': DownloadRoute;
}

export type RouteKey = keyof ApiRoutes;

// ---------------------------------------------------------------------------------------------
// The page's view of the routes: paths as the page writes them (`:param` → any text)
// ---------------------------------------------------------------------------------------------

type MethodOf<K> = K extends `${infer M} ${string}` ? M : never;
type PathOf<K> = K extends `${string} ${infer P}` ? P : never;
/** `/api/chats/:uuid/messages` → `/api/chats/${string}/messages`. */
export type PathPattern<P> = P extends `${infer A}:${string}/${infer R}`
  ? `${A}${string}/${PathPattern<R>}`
  : P extends `${infer A}:${string}`
    ? `${A}${string}`
    : P;
type WithQuery<P extends string, R> = R extends { query: infer Q }
  ? [Q] extends [never]
    ? P
    : P | `${P}?${string}`
  : P;
type PagePaths<M, Shape> = {
  [
    K in RouteKey as MethodOf<K> extends M
      ? ApiRoutes[K] extends Shape
        ? WithQuery<PathPattern<PathOf<K>>, ApiRoutes[K]>
        : never
      : never
  ]: ApiRoutes[K];
};

/** `get(path)` → the answer. */
export type GetRoutes = {
  [P in keyof PagePaths<'GET', JsonRoute<unknown, never, unknown>>]: PagePaths<
    'GET',
    JsonRoute<unknown, never, unknown>
  >[P]['reply'];
};
/** `post(path, body)` → the answer. */
export type PostRoutes = {
  [P in keyof PagePaths<'POST', JsonRoute<unknown, unknown>>]: PagePaths<
    'POST',
    JsonRoute<unknown, unknown>
  >[P];
};
/** `upload(path, file)` → the answer. */
export type UploadRoutes = {
  [P in keyof PagePaths<'POST', UploadRoute<unknown>>]: PagePaths<
    'POST',
    UploadRoute<unknown>
  >[P]['reply'];
};
/** Event streams: path → its events. */
export type EventRoutes = {
  [P in keyof PagePaths<'GET', EventsRoute<unknown>>]: PagePaths<
    'GET',
    EventsRoute<unknown>
  >[P]['events'];
};
