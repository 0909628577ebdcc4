import { lstatSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import { syncFolderNow } from '@ferry/ceb-format';
import { ExportError } from './errors.js';

/** The folder formats: what an earlier export of each may hold (paths relative to the folder). */
const EXPORT_LAYOUTS = {
  txt: [/^(1on1|group)$/, /^(1on1|group)\/[^/]+$/, /^(1on1|group)\/[^/]+\/\d{4}-\d{2}-\d{2}\.txt$/],
  html: [
    /^(chats|search)$/,
    /^(index|search)\.html$/,
    /^chats\/\d+(-\d+)?\.html$/,
    /^search\/\d+-\d+\.js$/,
  ],
} as const;

export type FolderFormat = keyof typeof EXPORT_LAYOUTS;

/** A leftover of a write interrupted by a crash (file-sink.ts names them `FILE.PID.tmp`). */
const INTERRUPTED_WRITE = /\.\d+\.tmp$/;

/** The first entry of `dir` (relative, `/`-separated) that an export of `format` never writes. */
function firstForeignEntry(dir: string, format: FolderFormat): string | null {
  const layout = EXPORT_LAYOUTS[format];
  const walk = (d: string): string | null => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const rel = relative(dir, p).split(sep).join('/');
      const stat = lstatSync(p);
      const shape = stat.isDirectory() || stat.isFile() ? rel.replace(INTERRUPTED_WRITE, '') : null;
      if (shape === null || !layout.some((re) => re.test(shape))) return rel;
      if (stat.isDirectory()) {
        const inner = walk(p);
        if (inner !== null) return inner;
      }
    }
    return null;
  };
  return walk(dir);
}

/**
 * Checks that an export of `format` may replace `target`: absent, or a folder holding nothing but
 * an earlier export of that format. Throws an ExportError naming the first file in the way.
 */
export function checkAccountFolder(target: string, format: FolderFormat): void {
  let stat;
  try {
    stat = lstatSync(target);
  } catch (err) {
    if (err instanceof Error && 'code' in err && err.code === 'ENOENT') return;
    throw err;
  }
  if (!stat.isDirectory()) {
    throw new ExportError(
      `${target} exists and is not a folder`,
      'Nothing was written. Choose another --out folder, or move that file away.',
    );
  }
  const foreign = firstForeignEntry(target, format);
  if (foreign !== null) {
    throw new ExportError(
      `${target} holds ${foreign}, which is not part of an earlier ${format} export`,
      `Nothing was written. A new export replaces the earlier one as a whole; choose another --out folder, or move ${foreign} out of ${target}.`,
    );
  }
}

/**
 * The folder of one account's txt or html export, written all-or-nothing: the export is written
 * into a fresh hidden folder beside the target (`OUT/.ferry-staging-…`) and `commit()` swaps it in
 * for the earlier export, which is then removed — so the result never mixes two runs and a failed
 * export leaves the earlier one as it was. An existing target holding anything an export of this
 * format never writes (the user's own files, another format's export) is refused before anything
 * is written, rather than deleted.
 */
export class StagedAccountFolder {
  /** Where the export is written until `commit()`. */
  readonly dir: string;
  private done = false;

  constructor(
    readonly outDir: string,
    /** The account's folder name (a safe segment). */
    readonly name: string,
    readonly format: FolderFormat,
  ) {
    checkAccountFolder(this.target, format);
    mkdirSync(outDir, { recursive: true });
    this.dir = join(outDir, `.ferry-staging-${process.pid}-${randomBytes(4).toString('hex')}`);
    mkdirSync(this.dir);
  }

  /** Where the export ends up. */
  get target(): string {
    return join(this.outDir, this.name);
  }

  /** Puts the finished export in place of the earlier one (which is removed). */
  commit(): void {
    if (this.done) return;
    let replaced: string | null = `${this.dir}-replaced`;
    try {
      renameSync(this.target, replaced);
    } catch (err) {
      if (!(err instanceof Error && 'code' in err && err.code === 'ENOENT')) throw err;
      replaced = null; // no earlier export
    }
    try {
      renameSync(this.dir, this.target);
    } catch (err) {
      if (replaced !== null) renameSync(replaced, this.target);
      throw err;
    }
    this.done = true;
    syncFolderNow(this.outDir);
    if (replaced !== null) rmSync(replaced, { recursive: true, force: true });
  }

  /** Removes what was written; the earlier export stays as it was. */
  abort(): void {
    if (this.done) return;
    this.done = true;
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Checks that a single-file export (json, sqlite) may replace `target`: it is absent or a file.
 */
export function checkReplaceableFile(target: string): void {
  let stat;
  try {
    stat = lstatSync(target);
  } catch {
    return;
  }
  if (!stat.isFile()) {
    throw new ExportError(
      `${target} exists and is not a file`,
      'Nothing was written. Choose another --out folder, or move it away.',
    );
  }
}
