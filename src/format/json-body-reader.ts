import {
  BodyReader,
  checkColumnName,
  INCOMPLETE,
  isBackupTable,
  isColumnName,
  malformed,
} from './body-reader.js';
import { MAX_COLUMNS } from './limits.js';
import type { BackupRow, CebValue } from './types.js';

const ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};
const HEX4 = /^[0-9a-fA-F]{4}$/;

type State = 'start' | 'first' | 'row' | 'next' | 'done';

/**
 * Streaming reader of a version-2 body: one JSON array of `{"table":…,"values":{…}}` objects,
 * compact as gson writes it (no whitespace). Values are strings, null or integers. Errors name
 * the byte offset in the decompressed body.
 */
export class JsonBodyReader extends BodyReader {
  private state: State = 'start';
  private baseBytes = 0;
  private str = '';

  resume(offset: number): void {
    this.state = 'row';
    this.baseBytes = offset;
  }

  atBoundary(): boolean {
    return this.state === 'row' && this.pos === this.buf.length;
  }

  protected consumed(text: string, length: number): void {
    this.baseBytes += Buffer.byteLength(text.slice(0, length));
  }

  protected fail(at: number, detail: string): never {
    const offset = this.baseBytes + Buffer.byteLength(this.buf.slice(0, at));
    throw malformed(`byte ${offset} of the backup's JSON body`, detail);
  }

  protected finish(): void {
    if (this.state !== 'done') this.fail(this.buf.length, 'the body ends before its closing ]');
  }

  protected run(out: BackupRow[]): void {
    const s = this.buf;
    for (;;) {
      if (this.pos >= s.length) return;
      const c = s.charCodeAt(this.pos);
      switch (this.state) {
        case 'start':
          if (c !== 0x5b) this.fail(this.pos, 'the body does not start with [');
          this.pos++;
          this.state = 'first';
          break;
        case 'first':
          if (c === 0x5d) {
            this.pos++;
            this.state = 'done';
          } else this.state = 'row';
          break;
        case 'next':
          if (c === 0x2c) {
            this.pos++;
            this.state = 'row';
          } else if (c === 0x5d) {
            this.pos++;
            this.state = 'done';
          } else this.fail(this.pos, 'expected , or ] after a row');
          break;
        case 'row': {
          const row = this.quickRow(s, this.pos) ?? this.parseRow(s, this.pos);
          if (row === undefined) {
            this.waitForMore();
            return;
          }
          out.push(row);
          this.state = 'next';
          break;
        }
        case 'done':
          this.fail(this.pos, 'there is data after the closing ]');
      }
    }
  }

  /** Expects `lit` at `p`; returns the position after it or INCOMPLETE. */
  private literal(s: string, p: number, lit: string, what: string): number {
    const avail = Math.min(lit.length, s.length - p);
    for (let i = 0; i < avail; i++) {
      if (s.charCodeAt(p + i) !== lit.charCodeAt(i)) this.fail(p + i, `expected ${what}`);
    }
    return avail === lit.length ? p + lit.length : INCOMPLETE;
  }

  /**
   * The fast path for the usual row: find its end with a light scan, let V8's JSON.parse build it,
   * then check its shape. Anything unusual (numbers, whitespace, duplicates, an incomplete row,
   * any error) returns undefined, and the strict parser decides — with the exact error position.
   */
  private quickRow(s: string, start: number): BackupRow | undefined {
    if (s.charCodeAt(start) !== 0x7b) return undefined;
    const len = s.length;
    let i = start;
    let depth = 0;
    let colons1 = 0;
    let colons2 = 0;
    let end = -1;
    while (i < len) {
      const c = s.charCodeAt(i);
      if (c === 0x22) {
        // the closing quote: the next one not escaped by an odd run of backslashes
        let q = s.indexOf('"', i + 1);
        for (;;) {
          if (q < 0) return undefined;
          let b = q - 1;
          while (s.charCodeAt(b) === 0x5c) b--;
          if ((q - 1 - b) % 2 === 0) break;
          q = s.indexOf('"', q + 1);
        }
        i = q;
      } else if (c === 0x7b) {
        depth++;
      } else if (c === 0x7d) {
        depth--;
        if (depth === 0) {
          end = i + 1;
          break;
        }
      } else if (c === 0x3a) {
        if (depth === 1) colons1++;
        else if (depth === 2) colons2++;
        else return undefined;
      } else if (c <= 0x20) {
        return undefined;
      }
      i++;
    }
    if (end < 0 || colons1 !== 2) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(s.slice(start, end));
    } catch {
      return undefined;
    }
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const keys = Object.keys(parsed);
    if (keys.length !== 2 || keys[0] !== 'table' || keys[1] !== 'values') return undefined;
    const { table, values } = parsed as { table: unknown; values: unknown };
    if (typeof table !== 'string' || !isBackupTable(table)) return undefined;
    if (typeof values !== 'object' || values === null || Array.isArray(values)) return undefined;
    let count = 0;
    for (const name in values) {
      const v = (values as Record<string, unknown>)[name];
      if ((v !== null && typeof v !== 'string') || !isColumnName(name)) return undefined;
      count++;
    }
    if (count !== colons2 || count > MAX_COLUMNS) return undefined;
    this.pos = end;
    return { table, values: values as Record<string, CebValue> };
  }

  /** Parses one row object at `p`; sets this.pos after it. Undefined when incomplete. */
  private parseRow(s: string, start: number): BackupRow | undefined {
    let p = this.literal(s, start, '{"table":', '{"table":');
    if (p === INCOMPLETE) return undefined;
    const tableAt = p;
    p = this.string(s, p);
    if (p === INCOMPLETE) return undefined;
    const table = this.str;
    if (!isBackupTable(table)) {
      this.fail(
        tableAt,
        `table ${JSON.stringify(table.slice(0, 40))} is not one of the seven backup tables`,
      );
    }
    p = this.literal(s, p, ',"values":{', ',"values":{');
    if (p === INCOMPLETE) return undefined;
    const values: Record<string, CebValue> = {};
    let count = 0;
    if (p < s.length && s.charCodeAt(p) === 0x7d) {
      p++;
    } else {
      for (;;) {
        const nameAt = p;
        p = this.string(s, p);
        if (p === INCOMPLETE) return undefined;
        const name = this.str;
        checkColumnName(name, (detail) => this.fail(nameAt, detail));
        if (Object.prototype.hasOwnProperty.call(values, name)) {
          this.fail(nameAt, `column ${name} appears twice`);
        }
        if (++count > MAX_COLUMNS) this.fail(nameAt, `a row has more than ${MAX_COLUMNS} columns`);
        p = this.literal(s, p, ':', ':');
        if (p === INCOMPLETE) return undefined;
        if (p >= s.length) return undefined;
        const c = s.charCodeAt(p);
        if (c === 0x22) {
          p = this.string(s, p);
          if (p === INCOMPLETE) return undefined;
          values[name] = this.str;
        } else if (c === 0x6e) {
          p = this.literal(s, p, 'null', 'a value');
          if (p === INCOMPLETE) return undefined;
          values[name] = null;
        } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
          const end = this.integerEnd(s, p);
          if (end === INCOMPLETE) return undefined;
          values[name] = toNumber(s.slice(p, end));
          p = end;
        } else {
          this.fail(p, 'expected a value: a string, null or an integer');
        }
        if (p >= s.length) return undefined;
        const sep = s.charCodeAt(p);
        if (sep === 0x2c) {
          p++;
        } else if (sep === 0x7d) {
          p++;
          break;
        } else this.fail(p, 'expected , or } after a value');
      }
    }
    p = this.literal(s, p, '}', '} closing the row');
    if (p === INCOMPLETE) return undefined;
    this.pos = p;
    return { table, values };
  }

  /** End of a JSON integer at `p` (-?(0|[1-9][0-9]*)), INCOMPLETE if the buffer ends in it. */
  private integerEnd(s: string, p: number): number {
    let i = p;
    if (s.charCodeAt(i) === 0x2d) i++;
    const digitsAt = i;
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (c < 0x30 || c > 0x39) break;
      i++;
    }
    if (i >= s.length) return INCOMPLETE;
    if (i === digitsAt) this.fail(p, 'expected digits');
    if (s.charCodeAt(digitsAt) === 0x30 && i - digitsAt > 1)
      this.fail(p, 'a number has leading zeros');
    const c = s.charCodeAt(i);
    if (c === 0x2e || c === 0x65 || c === 0x45) this.fail(i, 'only integers are expected');
    return i;
  }

  /** Parses a JSON string at `p` (which must be a quote) into this.str. */
  private string(s: string, p: number): number {
    if (p >= s.length) return INCOMPLETE;
    if (s.charCodeAt(p) !== 0x22) this.fail(p, 'expected a string');
    let start = p + 1;
    let text = '';
    const len = s.length;
    for (;;) {
      let j = start;
      let c = 0;
      while (j < len) {
        c = s.charCodeAt(j);
        if (c === 0x22 || c === 0x5c || c < 0x20) break;
        j++;
      }
      if (j >= len) return INCOMPLETE;
      if (c === 0x22) {
        this.str = text + s.slice(start, j);
        return j + 1;
      }
      if (c !== 0x5c) this.fail(j, 'a control character inside a string must be escaped');
      text += s.slice(start, j);
      if (j + 1 >= s.length) return INCOMPLETE;
      const e = s.charAt(j + 1);
      if (e === 'u') {
        if (j + 6 > s.length) return INCOMPLETE;
        const hex = s.slice(j + 2, j + 6);
        if (!HEX4.test(hex)) this.fail(j, 'a \\u escape needs four hex digits');
        text += String.fromCharCode(parseInt(hex, 16));
        start = j + 6;
      } else {
        const r = ESCAPES[e];
        if (r === undefined) this.fail(j, `unknown escape \\${e}`);
        text += r;
        start = j + 2;
      }
    }
  }
}

function toNumber(literal: string): number | bigint {
  const n = Number(literal);
  return Number.isSafeInteger(n) ? n : BigInt(literal);
}
