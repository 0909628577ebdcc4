import type { Profile } from '../store/profile.js';
import type { MessageCrypto } from '../xmpp/crypto-hook.js';
import type { JobRegistry } from './jobs.js';
import type { LiveAccounts } from './live-accounts.js';
import type { UploadStore } from './uploads.js';

/**
 * What every route of the web app works with: made once by `startWebApp` (server.ts) and handed to
 * each `register…Routes` (routes/*.ts), which therefore never import the server.
 */
export interface WebContext {
  profile: Profile;
  jobs: JobRegistry;
  live: LiveAccounts;
  uploads: UploadStore;
  options: WebAppOptions;
}

export interface WebAppOptions {
  /** The profile (device) folder the app works on. */
  profileDir: string;
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Connect enabled accounts when the app starts (default true). */
  connect?: boolean;
  /** Where created backups go (default: the profile's Backup/ folder). */
  backupDir?: string;
  /** End-to-end encryption for the chats: OMEMO (default), or `false` for none. */
  crypto?: MessageCrypto | false;
  /** Where exports go (default: the profile's Exports/ folder). */
  exportDir?: string;
  /** Where uploads wait in a private folder of their own (default: the system's temporary folder). */
  uploadParent?: string;
  /** More folders to look for backups in, besides the usual places. */
  extraBackupDirs?: string[];
  /** The home folder whose Download/Conversations/Backup etc. are searched (default: the user's). */
  home?: string;
}
