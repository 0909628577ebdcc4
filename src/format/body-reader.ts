import { MalformedContentError } from './errors.js';
import { MAX_COLUMN_NAME, MAX_ROW_TEXT } from './limits.js';
import { BACKUP_TABLES, type BackupRow, type BackupTable } from './types.js';

/** Returned by parsing steps when the buffer ends before the thing being parsed does. */
export const INCOMPLETE = -1;

const TABLES: ReadonlySet<string> = new Set(BACKUP_TABLES);
const COLUMN_NAME = /^[a-zA-Z_]+$/;

export function isBackupTable(name: string): name is BackupTable {
  return TABLES.has(name);
}

const goodNames = new Set<string>();

/** Whether a column name is one Conversations' importer accepts (and not `__proto__`). */
export function isColumnName(name: string): boolean {
  if (goodNames.has(name)) return true;
  if (name.length > MAX_COLUMN_NAME || !COLUMN_NAME.test(name) || name === '__proto__')
    return false;
  if (goodNames.size < 4096) goodNames.add(name);
  return true;
}

/** Checks a column name; `fail` reports a bad one. */
export function checkColumnName(name: string, fail: (detail: string) => never): void {
  if (!isColumnName(name)) fail(`column name ${JSON.stringify(name.slice(0, 40))} is not allowed`);
}

/**
 * Shared machinery of the two streaming body readers: a text buffer that is parsed one row at a
 * time. When a row is incomplete, parsing waits until the buffered text has doubled (so re-parsing
 * costs amortised linear time) and refuses rows larger than MAX_ROW_TEXT.
 */
export abstract class BodyReader {
  protected buf = '';
  protected pos = 0;
  private need = 0;
  private ended = false;

  /** Parses what it can; rows complete so far go to `out`. */
  push(text: string, out: BackupRow[]): void {
    if (this.pos > 0) {
      this.consumed(this.buf, this.pos);
      this.buf = this.buf.slice(this.pos);
      this.pos = 0;
    }
    this.buf += text;
    if (this.buf.length < this.need) {
      if (this.buf.length > MAX_ROW_TEXT) this.tooLarge();
      return;
    }
    this.need = 0;
    this.run(out);
  }

  /**
   * Parses every complete row buffered, however little text came since a row was last found
   * incomplete (for a piece of a body that ends at a row boundary, see parse-worker.ts).
   */
  flush(out: BackupRow[]): void {
    this.need = 0;
    this.run(out);
  }

  /** The body is complete: anything unfinished is an error. */
  end(out: BackupRow[]): void {
    this.ended = true;
    this.need = 0;
    this.run(out);
    this.finish();
  }

  /**
   * Continues a body from a row boundary found by a scan (see parallel-parse.ts): the text pushed
   * next starts a row (format 2) or a statement (format 1), `offset` bytes and `line - 1` newlines
   * into the body — so errors name the same positions as when the whole body is read in one go.
   */
  abstract resume(offset: number, line: number): void;

  /** Whether everything pushed so far ended exactly at a row (or statement) boundary. */
  abstract atBoundary(): boolean;

  /** Called when a row could not be completed with the buffered text. */
  protected waitForMore(): void {
    if (this.ended) this.fail(this.buf.length, 'the body ends in the middle of a row');
    const pending = this.buf.length - this.pos;
    if (pending > MAX_ROW_TEXT) this.tooLarge();
    // Counted from the row's start: the next push drops the text before it.
    this.need = Math.max(pending * 2, pending + 4096);
  }

  private tooLarge(): never {
    this.fail(this.pos, `a row is larger than ${MAX_ROW_TEXT / (1024 * 1024)} MiB`);
  }

  /** Accounts for text leaving the buffer (for error positions). */
  protected abstract consumed(text: string, length: number): void;
  /** Parses rows from `this.pos` while complete ones are available. */
  protected abstract run(out: BackupRow[]): void;
  /** Checks the state at the end of the body. */
  protected abstract finish(): void;
  /** Throws a MalformedContentError for buffer position `at`. */
  protected abstract fail(at: number, detail: string): never;
}

export function malformed(where: string, detail: string): MalformedContentError {
  return new MalformedContentError(where, detail);
}
