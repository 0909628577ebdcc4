/**
 * The fast path of `verify` for a batch of a version-2 body (parse-worker.ts): one pass over the
 * batch's bytes that accepts only what the strict reader (json-body-reader.ts) accepts *and*
 * what passes each row's own content checks (content-check.ts `rowsPassOwnChecks`), without
 * building a string or an object per value. Of each row it keeps only its table and the values
 * of the {@link CROSS_ROW_COLUMNS}, in the {@link RowBatch} form the content check reads.
 *
 * It never reports an error itself: anything it does not recognise as clean — a syntax error,
 * an escape in a table or column name, a number with a fraction, whitespace, a lone surrogate,
 * a duplicate or badly named column, a cut inside a value, text that is not UTF-8 — returns
 * undefined, and the batch is read by the strict reader instead, which gives the exact error
 * and its position (or, for what is only unusual, the same rows).
 */
import { isUtf8 } from 'node:buffer';
import { CROSS_ROW_COLUMNS } from './content-check.js';
import { MAX_COLUMN_NAME, MAX_COLUMNS } from './limits.js';
import type { RowBatch, ValueSpans } from './row-batch.js';
import { BACKUP_TABLES, type BackupTable, type CebValue } from './types.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const HEAD = Buffer.from('{"table":"');
const VALUES = Buffer.from(',"values":{');

/** A column name seen before: its bytes (for an exact comparison) and its number. */
interface Name {
  bytes: Uint8Array;
  id: number;
  text: string;
}

const namesByHash = new Map<number, Name>();
const names: Name[] = [];
/** More distinct names than this (a hostile file) and the batch goes to the strict reader. */
const MAX_NAMES = 4096;

/** Per table: the last column list seen (as name ids), and what the check made of it. */
interface ColumnList {
  ids: Int32Array;
  /** Positions (in the row) of the cross-row columns, in row order. */
  wanted: number[];
  /** Their names. */
  wantedNames: string[];
  /** The table and those names, as a key. */
  key: string;
}

/** Per table, for batches read for their cross-row values and for all values (see `all`). */
const lastLists: Record<'cross' | 'all', (ColumnList | undefined)[]> = {
  cross: BACKUP_TABLES.map(() => undefined),
  all: BACKUP_TABLES.map(() => undefined),
};

const TABLE_BY_LENGTH = new Map<number, { bytes: Buffer; index: number }[]>();
BACKUP_TABLES.forEach((t, index) => {
  const list = TABLE_BY_LENGTH.get(t.length) ?? [];
  list.push({ bytes: Buffer.from(t), index });
  TABLE_BY_LENGTH.set(t.length, list);
});

/** Bytes that end the plain run of a string: control characters, the quote, the backslash. */
const SPECIAL = new Uint8Array(256);
for (let c = 0; c < 0x20; c++) SPECIAL[c] = 1;
SPECIAL[QUOTE] = 1;
SPECIAL[BACKSLASH] = 1;

const HEX = new Int8Array(256).fill(-1);
for (let i = 0; i < 10; i++) HEX[0x30 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX[0x41 + i] = 10 + i;
  HEX[0x61 + i] = 10 + i;
}
/** The escapes JSON allows after a backslash besides `u`. */
const SIMPLE_ESCAPE = new Uint8Array(256);
for (const c of '"\\/bfnrt') SIMPLE_ESCAPE[c.charCodeAt(0)] = 1;
/** Bytes of a column name Conversations' importer accepts: [a-zA-Z_]. */
const NAME_BYTE = new Uint8Array(256);
for (let c = 0x41; c <= 0x5a; c++) NAME_BYTE[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) NAME_BYTE[c] = 1;
NAME_BYTE[0x5f] = 1;

/** Set when a scan step finds something it does not accept. */
const FAIL = -1;

// Per row, where its values are: kind (0 string without escapes, 1 string with escapes, 2 null,
// 3 integer), start and end (for strings: inside the quotes).
const valueKind = new Uint8Array(MAX_COLUMNS);
const valueStart = new Int32Array(MAX_COLUMNS);
const valueEnd = new Int32Array(MAX_COLUMNS);
const rowIds = new Int32Array(MAX_COLUMNS);
/** The spans of a batch read with `all` (two per value), grown as needed. */
let spanScratch = new Int32Array(64 * 1024);

/**
 * Checks a batch of a version-2 body: `first` when it starts the body (with `[`), `last` when it
 * ends it (with `]`); otherwise it must start at a row and end right after the `,` following one.
 * Returns the rows' counts and cross-row values — with `all`, every value of every row as
 * {@link ValueSpans} over `bytes` (what an import binds: made into the strict reader's values by
 * `slicesOf`; `spans.bytes` is `bytes`) — or undefined: read it with the strict reader.
 */
export function checkJsonBatch(
  bytes: Uint8Array,
  first: boolean,
  last: boolean,
  all = false,
): RowBatch | undefined {
  const lastList = lastLists[all ? 'all' : 'cross'];
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!isUtf8(b)) return undefined;
  const n = b.length;
  const counts = BACKUP_TABLES.map(() => 0);
  const columnLists: string[][] = [];
  const listIndex = new Map<string, number>();
  const batchList: number[] = BACKUP_TABLES.map(() => -1);
  const shape: number[] = [];
  const values: CebValue[] = [];
  const others: CebValue[] = [];
  let spanCount = 0;
  let p = 0;
  if (first) {
    if (n < 1 || b[0] !== 0x5b) return undefined;
    p = 1;
    if (b[1] === 0x5d)
      return last && n === 2
        ? { counts, columnLists, shape: new Uint16Array(0), values }
        : undefined;
  }
  const spans = (): ValueSpans | undefined =>
    all ? { bytes, spans: spanScratch.slice(0, 2 * spanCount), others } : undefined;
  for (;;) {
    // a row: {"table":"<table>","values":{ pairs }}
    if (!at(b, p, n, HEAD)) return undefined;
    p += HEAD.length;
    const tableEnd = plainStringEnd(b, p, n);
    if (tableEnd === FAIL) return undefined;
    const table = tableIndex(b, p, tableEnd);
    if (table < 0) return undefined;
    p = tableEnd + 1;
    if (!at(b, p, n, VALUES)) return undefined;
    p += VALUES.length;
    let count = 0;
    const predicted = lastList[table]?.ids;
    if (b[p] === 0x7d) {
      p++;
    } else {
      for (;;) {
        if (b[p] !== QUOTE || count >= MAX_COLUMNS) return undefined;
        // most often the name the last row of this table had at this place
        const expected =
          predicted !== undefined && count < predicted.length ? predicted[count] : -1;
        const id =
          expected !== undefined && expected >= 0 && isName(b, p + 1, n, expected)
            ? expected
            : nameId(b, p + 1, n);
        if (id === FAIL) return undefined;
        p = (names[id] as Name).bytes.length + p + 2;
        if (b[p] !== 0x3a) return undefined;
        p++;
        const c = b[p];
        if (c === QUOTE) {
          const end = stringEnd(b, p + 1, n);
          if (end === FAIL) return undefined;
          valueKind[count] = end < 0 ? 1 : 0;
          valueStart[count] = p + 1;
          const e = end < 0 ? -2 - end : end;
          valueEnd[count] = e;
          p = e + 1;
        } else if (c === 0x6e) {
          if (b[p + 1] !== 0x75 || b[p + 2] !== 0x6c || b[p + 3] !== 0x6c) return undefined;
          valueKind[count] = 2;
          p += 4;
        } else {
          const end = integerEnd(b, p, n);
          if (end === FAIL) return undefined;
          valueKind[count] = 3;
          valueStart[count] = p;
          valueEnd[count] = end;
          p = end;
        }
        rowIds[count++] = id;
        const sep = b[p];
        if (sep === 0x2c) p++;
        else if (sep === 0x7d) {
          p++;
          break;
        } else return undefined;
      }
    }
    if (b[p] !== 0x7d) return undefined;
    p++;
    const list = columnList(lastList, table, count, all);
    if (list === undefined) return undefined;
    let index = batchList[table] as number;
    if (index < 0 || columnLists[index] !== list.wantedNames) {
      index = listIndex.get(list.key) ?? columnLists.push(list.wantedNames) - 1;
      listIndex.set(list.key, index);
      batchList[table] = index;
    }
    (counts[table] as number)++;
    shape.push(table, index);
    if (all) {
      if (spanScratch.length < 2 * (spanCount + count)) {
        const grown = new Int32Array(2 * Math.max(spanScratch.length, 2 * (spanCount + count)));
        grown.set(spanScratch.subarray(0, 2 * spanCount));
        spanScratch = grown;
      }
      for (let i = 0; i < count; i++) {
        const kind = valueKind[i];
        const s = 2 * spanCount++;
        if (kind === 0) {
          spanScratch[s] = valueStart[i] as number;
          spanScratch[s + 1] = valueEnd[i] as number;
        } else if (kind === 2) {
          spanScratch[s] = -1;
          spanScratch[s + 1] = 0;
        } else {
          spanScratch[s] = -2;
          spanScratch[s + 1] = others.push(valueAt(b, i)) - 1;
        }
      }
    } else for (const at of list.wanted) values.push(valueAt(b, at));
    // after a row: , and the next one, or ] ending the body
    const after = b[p];
    if (after === 0x2c) {
      p++;
      if (p === n) return last ? undefined : finish(counts, columnLists, shape, values, spans());
    } else if (after === 0x5d) {
      return last && p + 1 === n ? finish(counts, columnLists, shape, values, spans()) : undefined;
    } else return undefined;
  }
}

function finish(
  counts: number[],
  columnLists: string[][],
  shape: number[],
  values: CebValue[],
  spans: ValueSpans | undefined,
): RowBatch {
  const batch: RowBatch = { counts, columnLists, shape: Uint16Array.from(shape), values };
  if (spans !== undefined) batch.spans = spans;
  return batch;
}

/** Whether `lit` is at b[p…]. */
function at(b: Buffer, p: number, n: number, lit: Uint8Array): boolean {
  const length = lit.length;
  if (p + length > n) return false;
  for (let i = 0; i < length; i++) if (b[p + i] !== lit[i]) return false;
  return true;
}

/** Whether name `id` and its closing quote are at b[p…]. */
function isName(b: Buffer, p: number, n: number, id: number): boolean {
  const k = (names[id] as Name).bytes;
  const length = k.length;
  if (p + length >= n || b[p + length] !== QUOTE) return false;
  for (let i = 0; i < length; i++) if (b[p + i] !== k[i]) return false;
  return true;
}

/** The table whose name the bytes b[start, end) are, or -1. */
function tableIndex(b: Buffer, start: number, end: number): number {
  const candidates = TABLE_BY_LENGTH.get(end - start);
  if (candidates === undefined) return -1;
  for (const t of candidates) {
    if (b.compare(t.bytes, 0, t.bytes.length, start, end) === 0) return t.index;
  }
  return -1;
}

/** End (the closing quote) of a string without escapes or control characters, or FAIL. */
function plainStringEnd(b: Buffer, p: number, n: number): number {
  for (let i = p; i < n; i++) {
    const c = b[i] as number;
    if (c === QUOTE) return i;
    if (c === BACKSLASH || c < 0x20) return FAIL;
  }
  return FAIL;
}

/**
 * The closing quote of a string whose text starts at `p`: its index when the string has no
 * escapes, -2 - index when it has (all valid, surrogates in pairs), FAIL otherwise.
 */
function stringEnd(b: Buffer, p: number, n: number): number {
  let escaped = false;
  let i = p;
  while (i < n) {
    const c = b[i] as number;
    if (SPECIAL[c] === 0) {
      i++;
      continue;
    }
    if (c === QUOTE) return escaped ? -2 - i : i;
    if (c === BACKSLASH) {
      escaped = true;
      const e = b[i + 1] as number;
      if (e === 0x75) {
        const u = hex4(b, i + 2, n);
        if (u < 0) return FAIL;
        if (u >= 0xd800 && u <= 0xdfff) {
          // only a high surrogate followed at once by a low one is a character
          if (u >= 0xdc00 || b[i + 6] !== BACKSLASH || b[i + 7] !== 0x75) return FAIL;
          const low = hex4(b, i + 8, n);
          if (low < 0xdc00 || low > 0xdfff) return FAIL;
          i += 12;
        } else i += 6;
      } else if (SIMPLE_ESCAPE[e] === 1 && i + 1 < n) {
        i += 2;
      } else return FAIL;
    } else if (c < 0x20) {
      return FAIL;
    } else i++;
  }
  return FAIL;
}

function hex4(b: Buffer, p: number, n: number): number {
  if (p + 4 > n) return -1;
  const a = HEX[b[p] as number] as number;
  const c = HEX[b[p + 1] as number] as number;
  const d = HEX[b[p + 2] as number] as number;
  const e = HEX[b[p + 3] as number] as number;
  if ((a | c | d | e) < 0) return -1;
  return (a << 12) | (c << 8) | (d << 4) | e;
}

/** End of an integer -?(0|[1-9][0-9]*) at `p`, followed by , or }; FAIL otherwise. */
function integerEnd(b: Buffer, p: number, n: number): number {
  let i = p;
  if (b[i] === 0x2d) i++;
  const digitsAt = i;
  while (i < n) {
    const c = b[i] as number;
    if (c < 0x30 || c > 0x39) break;
    i++;
  }
  if (i === digitsAt || i >= n) return FAIL;
  if (b[digitsAt] === 0x30 && i - digitsAt > 1) return FAIL;
  const c = b[i];
  return c === 0x2c || c === 0x7d ? i : FAIL;
}

/**
 * The id of the column name whose text starts at `p` (after its quote): a name of [a-zA-Z_]
 * only, at most MAX_COLUMN_NAME long, not `__proto__`; FAIL otherwise (or on anything unusual).
 */
function nameId(b: Buffer, p: number, n: number): number {
  let h = 0x811c9dc5;
  let i = p;
  const limit = Math.min(n, p + MAX_COLUMN_NAME + 1);
  for (; i < limit; i++) {
    const c = b[i] as number;
    if (NAME_BYTE[c] !== 1) break;
    h = Math.imul(h ^ c, 0x01000193);
  }
  if (i >= limit || b[i] !== QUOTE || i === p) return FAIL;
  const length = i - p;
  const key = (h ^ (length << 24)) >>> 0;
  const known = namesByHash.get(key);
  if (known !== undefined) {
    const k = known.bytes;
    if (k.length !== length) return FAIL;
    for (let j = 0; j < length; j++) if (k[j] !== b[p + j]) return FAIL;
    return known.id;
  }
  if (names.length >= MAX_NAMES) return FAIL;
  const text = b.toString('latin1', p, i);
  if (text === '__proto__') return FAIL;
  const name: Name = { bytes: Uint8Array.from(b.subarray(p, i)), id: names.length, text };
  names.push(name);
  namesByHash.set(key, name);
  return name.id;
}

/**
 * The current row's column list (rowIds[0, count)) for `table`: the last one when it is the
 * same, else checked (no two names equal, even in case) and remembered in `lastList`; undefined
 * when a check fails. Its wanted columns: the cross-row ones, or with `all` every one.
 */
function columnList(
  lastList: (ColumnList | undefined)[],
  table: number,
  count: number,
  all: boolean,
): ColumnList | undefined {
  const last = lastList[table];
  if (last !== undefined && last.ids.length === count) {
    const ids = last.ids;
    let same = true;
    for (let i = 0; i < count; i++) {
      if (ids[i] !== rowIds[i]) {
        same = false;
        break;
      }
    }
    if (same) return last;
  }
  const lower = new Set<string>();
  const wanted: number[] = [];
  const wantedNames: string[] = [];
  const cross = CROSS_ROW_COLUMNS[BACKUP_TABLES[table] as BackupTable];
  for (let i = 0; i < count; i++) {
    const text = (names[rowIds[i] as number] as Name).text;
    const key = text.toLowerCase();
    if (lower.has(key)) return undefined;
    lower.add(key);
    if (all || cross.includes(text)) {
      wanted.push(i);
      wantedNames.push(text);
    }
  }
  const list: ColumnList = {
    ids: rowIds.slice(0, count),
    wanted,
    wantedNames,
    key: `${table}:${wantedNames.join(',')}`,
  };
  lastList[table] = list;
  return list;
}

/** The value of the current row's column at position `at`, as the strict reader reads it. */
function valueAt(b: Buffer, at: number): CebValue {
  switch (valueKind[at]) {
    case 0:
      return b.toString('utf8', valueStart[at], valueEnd[at]);
    case 1:
      return JSON.parse(
        b.toString('utf8', (valueStart[at] as number) - 1, (valueEnd[at] as number) + 1),
      ) as string;
    case 2:
      return null;
    default: {
      const literal = b.toString('latin1', valueStart[at], valueEnd[at]);
      const value = Number(literal);
      return Number.isSafeInteger(value) ? value : BigInt(literal);
    }
  }
}
