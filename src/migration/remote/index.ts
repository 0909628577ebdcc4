/** Backups through the cloud: push, pull, list and retention on a WebDAV folder. */
export {
  resolveWebdavCredentials,
  parseNetrc,
  type WebdavCredentials,
  type CredentialSources,
} from './credentials.js';
export { RemoteStorageError, type RemoteErrorCode } from './errors.js';
export {
  openRemoteFolder,
  parseFolderUrl,
  safeUrlText,
  ensureFolder,
  type RemoteFolder,
} from './folder.js';
export {
  uploadVerified,
  downloadVerified,
  type TransferProgress,
  type TransferResult,
} from './transfer.js';
export {
  listRemoteBackups,
  pushBackups,
  pullBackups,
  pruneRemoteBackups,
  type RemoteBackup,
  type PushResult,
  type PullResult,
} from './remote-backups.js';
