import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { companionPathFor } from '../migration/media/layout.js';

export interface UploadedFile {
  id: string;
  /** The name the browser gave (shown only; never used as a path). */
  name: string;
  path: string;
  /** The backup's media companion, when one was uploaded with it (stored as `<path>.media`). */
  companion?: { name: string; path: string };
}

/**
 * Backup files the page uploaded ("choose a file from anywhere"), kept in a private temporary
 * folder (0700, files 0600) until the app stops.
 */
export class UploadStore {
  private dir: string | undefined;
  private readonly files = new Map<string, UploadedFile>();

  constructor(private readonly parent: string = tmpdir()) {}

  async save(name: string, content: NodeJS.ReadableStream): Promise<UploadedFile> {
    this.dir ??= mkdtempSync(join(this.parent, 'ferry-upload-'));
    const id = randomBytes(9).toString('base64url');
    const path = join(this.dir, `${id}.ceb`);
    try {
      await pipeline(content, createWriteStream(path, { mode: 0o600 }));
    } catch (err) {
      await unlink(path).catch(() => undefined); // an upload cut short leaves nothing
      throw err;
    }
    const file = { id, name, path };
    this.files.set(id, file);
    return file;
  }

  /**
   * Stores the media companion uploaded for backup `id` beside it (`<backup>.media`, replacing one
   * uploaded before). Undefined when there is no such backup upload.
   */
  async saveCompanion(
    id: string,
    name: string,
    content: NodeJS.ReadableStream,
  ): Promise<UploadedFile['companion']> {
    const backup = this.files.get(id);
    if (!backup) return undefined;
    const path = companionPathFor(backup.path);
    const temp = `${path}.${randomBytes(6).toString('hex')}.part`;
    try {
      await pipeline(content, createWriteStream(temp, { mode: 0o600 }));
      await rename(temp, path);
    } catch (err) {
      await unlink(temp).catch(() => undefined);
      throw err;
    }
    backup.companion = { name, path };
    return backup.companion;
  }

  /** Forgets (and deletes) the companion uploaded for backup `id`. */
  async dropCompanion(id: string): Promise<void> {
    const backup = this.files.get(id);
    if (!backup?.companion) return;
    await unlink(backup.companion.path).catch(() => undefined);
    delete backup.companion;
  }

  /** Deletes an upload that was refused (and its companion): nothing of it stays behind. */
  async discard(id: string): Promise<void> {
    const file = this.files.get(id);
    if (!file) return;
    this.files.delete(id);
    await unlink(file.path).catch(() => undefined);
    if (file.companion) await unlink(file.companion.path).catch(() => undefined);
  }

  get(id: string): UploadedFile | undefined {
    return this.files.get(id);
  }

  clear(): void {
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
    this.files.clear();
  }
}
