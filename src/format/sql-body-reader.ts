import {
  BodyReader,
  checkColumnName,
  INCOMPLETE,
  isBackupTable,
  malformed,
} from './body-reader.js';
import { MAX_COLUMNS } from './limits.js';
import type { BackupRow, BackupTable, CebValue } from './types.js';

type State = 'statement' | 'row' | 'after-row' | 'after-semicolon';

const INSERT = 'INSERT INTO ';
/** 0n…9n, the most common bare values (flags, status codes). */
const SMALL = Array.from({ length: 10 }, (_, i) => BigInt(i));
const VALUES = ' VALUES';

/**
 * Streaming reader of a version-1 body: only `INSERT INTO <table>(<columns>) VALUES(…),(…);`
 * statements, each followed by a newline, with NULL, bare digit literals (returned as exact
 * bigints) and single-quoted strings (`''` for a quote). Anything else — other statements,
 * comments, expressions, unknown tables, odd column names — is refused with the line number.
 * The text is never given to a database.
 */
export class SqlBodyReader extends BodyReader {
  private state: State = 'statement';
  private baseLine = 1;
  private table: BackupTable = 'accounts';
  private columns: string[] = [];
  private str = '';

  resume(_offset: number, line: number): void {
    this.state = 'statement';
    this.baseLine = line;
  }

  atBoundary(): boolean {
    return this.state === 'statement' && this.pos === this.buf.length;
  }

  protected consumed(text: string, length: number): void {
    this.baseLine += countNewlines(text, 0, length);
  }

  protected fail(at: number, detail: string): never {
    const line = this.baseLine + countNewlines(this.buf, 0, Math.min(at, this.buf.length));
    throw malformed(`line ${line} of the backup's SQL body`, detail);
  }

  protected finish(): void {
    if (this.state === 'row' || this.state === 'after-row') {
      this.fail(this.buf.length, 'the body ends inside an INSERT statement');
    }
  }

  protected run(out: BackupRow[]): void {
    const s = this.buf;
    for (;;) {
      if (this.pos >= s.length) return;
      switch (this.state) {
        case 'statement': {
          if (!this.parseStatementStart(s)) {
            this.waitForMore();
            return;
          }
          this.state = 'row';
          break;
        }
        case 'row': {
          const row = this.parseRow(s, this.pos);
          if (row === undefined) {
            this.waitForMore();
            return;
          }
          out.push(row);
          this.state = 'after-row';
          break;
        }
        case 'after-row': {
          const c = s.charCodeAt(this.pos);
          if (c === 0x2c) {
            this.pos++;
            this.state = 'row';
          } else if (c === 0x3b) {
            this.pos++;
            this.state = 'after-semicolon';
          } else this.fail(this.pos, 'expected , or ; after a row of values');
          break;
        }
        case 'after-semicolon':
          if (s.charCodeAt(this.pos) !== 0x0a) this.fail(this.pos, 'expected a new line after ;');
          this.pos++;
          this.state = 'statement';
          break;
      }
    }
  }

  private literal(s: string, p: number, lit: string, what: string): number {
    const avail = Math.min(lit.length, s.length - p);
    for (let i = 0; i < avail; i++) {
      if (s.charCodeAt(p + i) !== lit.charCodeAt(i)) this.fail(p + i, what);
    }
    return avail === lit.length ? p + lit.length : INCOMPLETE;
  }

  /** `INSERT INTO table(col,…) VALUES`: sets table and columns, returns false if incomplete. */
  private parseStatementStart(s: string): boolean {
    let p = this.literal(s, this.pos, INSERT, 'only INSERT INTO statements are allowed here');
    if (p === INCOMPLETE) return false;
    const tableAt = p;
    const open = s.indexOf('(', p);
    if (open < 0) {
      if (s.length - p > 64) this.fail(tableAt, 'expected a table name and (');
      return false;
    }
    const table = s.slice(p, open);
    if (!isBackupTable(table)) {
      this.fail(
        tableAt,
        `table ${JSON.stringify(table.slice(0, 40))} is not one of the seven backup tables`,
      );
    }
    p = open + 1;
    const close = s.indexOf(')', p);
    if (close < 0) {
      if (s.length - p > MAX_COLUMNS * 130) this.fail(p, 'the column list is too long');
      return false;
    }
    const columns = s.slice(p, close).split(',');
    if (columns.length > MAX_COLUMNS) this.fail(p, `more than ${MAX_COLUMNS} columns`);
    const seen = new Set<string>();
    for (const name of columns) {
      checkColumnName(name, (detail) => this.fail(p, detail));
      if (seen.has(name)) this.fail(p, `column ${name} appears twice`);
      seen.add(name);
    }
    p = this.literal(s, close, `)${VALUES}`, 'expected ) VALUES after the column list');
    if (p === INCOMPLETE) return false;
    this.table = table;
    this.columns = columns;
    this.pos = p;
    return true;
  }

  /** `(v,v,…)` at `start`; undefined when incomplete. */
  private parseRow(s: string, start: number): BackupRow | undefined {
    if (s.charCodeAt(start) !== 0x28) this.fail(start, 'expected ( starting a row of values');
    let p = start + 1;
    const values: Record<string, CebValue> = {};
    const columns = this.columns;
    for (let i = 0; i < columns.length; i++) {
      if (p >= s.length) return undefined;
      const c = s.charCodeAt(p);
      let value: CebValue;
      if (c === 0x27) {
        p = this.quoted(s, p);
        if (p === INCOMPLETE) return undefined;
        value = this.str;
      } else if (c >= 0x30 && c <= 0x39) {
        let e = p + 1;
        while (e < s.length) {
          const d = s.charCodeAt(e);
          if (d < 0x30 || d > 0x39) break;
          e++;
        }
        if (e >= s.length) return undefined;
        value = e - p === 1 ? (SMALL[c - 0x30] as bigint) : BigInt(s.slice(p, e));
        p = e;
      } else if (c === 0x4e) {
        p = this.literal(s, p, 'NULL', 'expected a value: NULL, a number or a quoted string');
        if (p === INCOMPLETE) return undefined;
        value = null;
      } else {
        this.fail(p, 'expected a value: NULL, a number or a quoted string');
      }
      values[columns[i] as string] = value;
      if (p >= s.length) return undefined;
      const sep = s.charCodeAt(p);
      const last = i === columns.length - 1;
      if (sep === 0x2c && !last) p++;
      else if (sep === 0x29 && last) p++;
      else if (sep === 0x2c || sep === 0x29)
        this.fail(p, `a row must have ${columns.length} values, one per column`);
      else this.fail(p, 'expected , or ) after a value');
    }
    this.pos = p;
    return { table: this.table, values };
  }

  /** A single-quoted string at `p` with `''` for a quote, into this.str. */
  private quoted(s: string, p: number): number {
    let start = p + 1;
    let text = '';
    for (;;) {
      const q = s.indexOf("'", start);
      if (q < 0 || q + 1 >= s.length) return INCOMPLETE;
      if (s.charCodeAt(q + 1) === 0x27) {
        text += s.slice(start, q + 1);
        start = q + 2;
        continue;
      }
      this.str = text + s.slice(start, q);
      return q + 1;
    }
  }
}

function countNewlines(s: string, from: number, to: number): number {
  let n = 0;
  let i = s.indexOf('\n', from);
  while (i >= 0 && i < to) {
    n++;
    i = s.indexOf('\n', i + 1);
  }
  return n;
}
