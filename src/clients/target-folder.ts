import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmdirSync,
  rmSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import { syncFolderNow } from '@ferry/ceb-format';
import { ClientError } from './errors.js';

/**
 * The folder another client's files are written into (its HOME, say), built whole in a hidden
 * sibling folder and renamed into place at the end, so that an interrupted or failed export
 * leaves nothing half-written. The target must be missing or empty: ferry never mixes its files
 * with a client's existing ones.
 *
 *   const folder = StagedFolder.create(outDir);
 *   try { write into folder.dir …; folder.commit(); } finally { folder.abort(); }
 */
export class StagedFolder {
  private done = false;

  private constructor(
    /** Where the files go while being written. */
    readonly dir: string,
    /** Where they appear on commit. */
    readonly target: string,
  ) {}

  static create(target: string): StagedFolder {
    const full = resolve(target);
    checkEmptyTarget(full);
    const parent = dirname(full);
    mkdirSync(parent, { recursive: true });
    const dir = join(parent, `.${basename(full)}.ferry-${randomBytes(4).toString('hex')}.tmp`);
    mkdirSync(dir, { mode: 0o700 });
    return new StagedFolder(dir, full);
  }

  /** Moves the finished folder into place (the target, if it exists, is empty: replaced). */
  commit(): void {
    checkEmptyTarget(this.target);
    if (existsSync(this.target)) rmdirSync(this.target);
    renameSync(this.dir, this.target);
    syncFolderNow(dirname(this.target));
    this.done = true;
  }

  /** Removes the staging folder unless committed. Idempotent. */
  abort(): void {
    if (!this.done) rmSync(this.dir, { recursive: true, force: true });
    this.done = true;
  }
}

/** Throws {@link ClientError} `target-not-empty` when `dir` exists and is not an empty folder. */
export function checkEmptyTarget(dir: string): void {
  if (!existsSync(dir)) return;
  if (!lstatSync(dir).isDirectory()) {
    throw new ClientError(
      'target-not-empty',
      `${dir} exists and is not a folder`,
      'Give a new folder (it is created) or an empty one.',
    );
  }
  const entries = readdirSync(dir);
  if (entries.length > 0) {
    throw new ClientError(
      'target-not-empty',
      `${dir} is not empty (it holds ${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', …' : ''})`,
      "Give a new or empty folder: ferry never writes over another client's files.",
    );
  }
}
