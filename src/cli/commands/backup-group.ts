import type { Command } from 'commander';
import { registerBackupCommands } from './backup.js';
import { listRemoteBackupsCommand, registerRemoteBackupCommands } from './backup-remote.js';
import { backupMediaSteps } from './media.js';

/**
 * `ferry backup …`, assembled in one place: create|list|import (backup.ts) with the media steps
 * (media.ts) and the WebDAV listing (backup-remote.ts) passed in, then push|pull (backup-remote.ts).
 */
export function registerBackupGroup(program: Command): void {
  const backup = program
    .command('backup')
    .description('make, find and import backups (the three steps of a move)');
  registerBackupCommands(backup, { media: backupMediaSteps, listRemote: listRemoteBackupsCommand });
  registerRemoteBackupCommands(backup);
}
