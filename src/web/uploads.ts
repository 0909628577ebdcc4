import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

export interface UploadedFile {
  id: string;
  /** The name the browser gave (shown only; never used as a path). */
  name: string;
  path: string;
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
    await pipeline(content, createWriteStream(path, { mode: 0o600 }));
    const file = { id, name, path };
    this.files.set(id, file);
    return file;
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
