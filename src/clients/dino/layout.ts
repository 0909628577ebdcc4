import { join } from 'node:path';

/**
 * Where Dino keeps its data in a home folder: `g_get_user_data_dir()/dino`, which is
 * `$HOME/.local/share/dino` when XDG_DATA_HOME is not set (libdino/src/application.vala,
 * `Dino.get_storage_dir`). Files received or sent live in its `files/` folder
 * (FileManager.get_storage_dir), named by `file_transfer.path`.
 */
export function dinoDataDir(home: string): string {
  return join(home, '.local', 'share', 'dino');
}

export function dinoDbPath(home: string): string {
  return join(dinoDataDir(home), 'dino.db');
}

export function omemoDbPath(home: string): string {
  return join(dinoDataDir(home), 'omemo.db');
}

export function dinoFilesDir(home: string): string {
  return join(dinoDataDir(home), 'files');
}
