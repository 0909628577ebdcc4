import type { Command } from 'commander';
import { registerFileCommands } from './file.js';
import { registerAccountCommands } from './account.js';
import { registerBackupCommands } from './backup.js';
import { registerRemoteBackupCommands } from './backup-remote.js';
import { registerExportCommand } from './export.js';
import { registerChatCommands } from './chat.js';
import { registerOmemoCommands } from './omemo.js';
import { registerMediaCommands } from './media.js';
import { registerWebCommand } from './web.js';

/** Every command of `ferry`, one module per group. */
export function registerCommands(program: Command): void {
  registerFileCommands(program); // inspect, verify, decrypt
  registerAccountCommands(program); // account add|list|enable|disable
  registerBackupCommands(program); // backup create|list|import
  registerRemoteBackupCommands(program); // backup push|pull, backup list --from
  registerExportCommand(program); // export
  registerChatCommands(program); // sync, run, send, chats, chat
  registerOmemoCommands(program); // omemo
  registerMediaCommands(program); // media check
  registerWebCommand(program); // web
}
