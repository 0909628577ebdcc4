/**
 * Which imported messages point to a file (`relativeFilePath`) this device doesn't have — counted
 * while the rows go in, so that an import needs no second pass over millions of messages after it
 * committed. Memory stays flat: a bounded cache of paths already looked at, five examples.
 */
import { existsSync } from 'node:fs';
import { BACKUP_TABLES, type CebValue } from '@ferry/ceb-format/header';
import type { RowBatch } from '@ferry/ceb-format';
import { listMessageFilePaths } from '../store/file-messages.js';
import type { openProfileDatabase } from '../store/profile.js';
import { findMediaFile, mediaFilePath, mediaFolder } from './media/layout.js';

export interface MissingMedia {
  /** Messages whose `relativeFilePath` names a file that is not on this device. */
  count: number;
  /** Where relative paths are looked for on this device. */
  folder: string;
  /** A few of them (distinct files): the path as stored and where the file is expected. */
  examples: { relativeFilePath: string; expectedAt: string }[];
}

/** Where a message's file is expected on this device; a path that cannot be placed there is shown as stored. */
export type LocateMedia = (relativeFilePath: string, profile: { dir: string }) => string;

/**
 * Where this device expects a message's file, by the media layout (`media/layout.ts`): under the
 * profile's Media/ folder; a path that cannot be placed there safely is shown as stored.
 */
export function expectedMediaPath(relativeFilePath: string, profile: { dir: string }): string {
  try {
    return mediaFilePath(profile.dir, relativeFilePath);
  } catch {
    return relativeFilePath;
  }
}

const EXAMPLES = 5;
/** Paths whose presence is remembered (then forgotten all at once): bounded, whatever the file holds. */
const REMEMBERED = 4096;
const MESSAGES = BACKUP_TABLES.indexOf('messages');
/** A text SQLite's NUMERIC affinity turns into a number (surrounding spaces allowed). */
const NUMERIC_TEXT = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/;

/**
 * Whether SQLite would read the `deleted` value as 0 or NULL (`COALESCE(deleted, 0) = 0`, the
 * column has NUMERIC affinity): the message is not deleted.
 */
function notDeleted(value: CebValue | undefined): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === 'string') return NUMERIC_TEXT.test(value) && Number(value) === 0;
  return Number(value) === 0;
}

/** Counts missing files message by message; see {@link MissingMediaTally} and {@link findMissingMedia}. */
class MissingMediaCounter {
  readonly missing: MissingMedia;
  private readonly present = new Map<string, boolean>();
  private readonly shown = new Set<string>();

  constructor(
    private readonly profile: { dir: string },
    private readonly locate: LocateMedia = expectedMediaPath,
  ) {
    this.missing = { count: 0, folder: mediaFolder(profile.dir), examples: [] };
  }

  /** One message (not deleted) pointing to `relativeFilePath` (not empty). */
  add(relativeFilePath: string): void {
    let here = this.present.get(relativeFilePath);
    if (here === undefined) {
      here = this.isHere(relativeFilePath);
      if (this.present.size >= REMEMBERED) this.present.clear();
      this.present.set(relativeFilePath, here);
    }
    if (here) return;
    this.missing.count++;
    if (this.missing.examples.length < EXAMPLES && !this.shown.has(relativeFilePath)) {
      this.shown.add(relativeFilePath);
      this.missing.examples.push({
        relativeFilePath,
        expectedAt: this.expectedAt(relativeFilePath),
      });
    }
  }

  private isHere(relativeFilePath: string): boolean {
    if (findMediaFile(this.profile.dir, relativeFilePath) !== null) return true;
    if (this.locate === expectedMediaPath) return false;
    return existsSync(this.expectedAt(relativeFilePath));
  }

  private expectedAt(relativeFilePath: string): string {
    try {
      return this.locate(relativeFilePath, this.profile);
    } catch {
      return relativeFilePath;
    }
  }
}

/**
 * The missing files of the messages an import inserts, batch by batch (call {@link add} with each
 * batch that went in). A message whose path is not text (a number, say) makes the tally inexact:
 * {@link result} then asks the database, which holds what SQLite made of it.
 */
export class MissingMediaTally {
  private readonly counter: MissingMediaCounter;
  private exact = true;
  /** Per column list of a batch: where `relativeFilePath` and `deleted` are (-1: absent). */
  private readonly at = new Map<string, readonly [path: number, deleted: number]>();

  constructor(
    private readonly profile: { dir: string },
    private readonly locate: LocateMedia = expectedMediaPath,
  ) {
    this.counter = new MissingMediaCounter(profile, locate);
  }

  add(batch: RowBatch): void {
    if (!this.exact) return;
    const { columnLists, shape, values } = batch;
    const lists: (readonly [number, number])[] = [];
    let start = 0;
    for (let r = 0; r < shape.length; r += 2) {
      const list = shape[r + 1] as number;
      const names = columnLists[list] as string[];
      if (shape[r] === MESSAGES) {
        let where = lists[list];
        if (where === undefined) {
          where = this.columns(names);
          lists[list] = where;
        }
        const [path, deleted] = where;
        const value = path < 0 ? null : values[start + path];
        if (value !== null && value !== undefined && value !== '') {
          if (typeof value !== 'string') {
            this.exact = false;
            return;
          }
          if (deleted < 0 || notDeleted(values[start + deleted])) this.counter.add(value);
        }
      }
      start += names.length;
    }
  }

  /** What is missing, once the rows are in (`db` holds them: it is asked when the tally is inexact). */
  result(db: ReturnType<typeof openProfileDatabase>, accountUuid: string): MissingMedia {
    if (this.exact) return this.counter.missing;
    return findMissingMedia(db, accountUuid, this.profile, this.locate);
  }

  private columns(names: readonly string[]): readonly [number, number] {
    const key = names.join('\u0000');
    let where = this.at.get(key);
    if (where === undefined) {
      // Column names are matched as SQLite matches them: without regard to case.
      const lower = names.map((n) => n.toLowerCase());
      where = [lower.indexOf('relativefilepath'), lower.indexOf('deleted')];
      this.at.set(key, where);
    }
    return where;
  }
}

/**
 * Messages of the account (not deleted) that point to a file this device doesn't have, read from
 * the database in one streaming pass.
 */
export function findMissingMedia(
  db: ReturnType<typeof openProfileDatabase>,
  accountUuid: string,
  profile: { dir: string },
  locate: LocateMedia = expectedMediaPath,
): MissingMedia {
  const counter = new MissingMediaCounter(profile, locate);
  for (const relativeFilePath of listMessageFilePaths(db, accountUuid))
    counter.add(relativeFilePath);
  return counter.missing;
}
