import { BACKUP_TABLES, type BackupRow, type BackupTable, type CebValue } from './types.js';

/**
 * Rows of a backup in a compact form that crosses between threads cheaply — one flat array of
 * values instead of an object per row — and that an importer can bind from directly.
 * Without values it only counts the rows per table (what `verify` needs).
 */
export interface RowBatch {
  /** Rows per table, in {@link BACKUP_TABLES} order. */
  counts: number[];
  /** Column lists used by the rows. */
  columnLists: string[][];
  /** Per row: its table (index into BACKUP_TABLES), then its column list (index). Empty without values. */
  shape: Uint16Array;
  /** Every value of every row, one after the other. Empty without values, or with `spans`. */
  values: CebValue[];
  /**
   * Instead of `values` (the import's fast path): where each value is in the batch's bytes, so
   * that its string is made only when it is read (see {@link slicesOf}). Valid while the batch
   * is the current one of its iteration: the bytes are reused after.
   */
  spans?: ValueSpans;
}

/**
 * Values left in the bytes they were read from, two numbers per value: `[start, end)` of a string
 * without escapes (UTF-8, inside its quotes), `-1, 0` for null, `-2, i` for `others[i]` (a string
 * with escapes, an integer).
 */
export interface ValueSpans {
  bytes: Uint8Array;
  spans: Int32Array;
  others: CebValue[];
}

const TABLE_INDEX = new Map<string, number>(BACKUP_TABLES.map((t, i) => [t, i]));

/**
 * Packs rows into a {@link RowBatch}; with `values` false only their counts. With `only`, a row
 * keeps just those of its columns (per table), in the row's order.
 */
export function packRows(
  rows: readonly BackupRow[],
  values = true,
  only?: Readonly<Record<BackupTable, readonly string[]>>,
): RowBatch {
  const counts = BACKUP_TABLES.map(() => 0);
  const batch: RowBatch = { counts, columnLists: [], shape: new Uint16Array(0), values: [] };
  if (!values) {
    for (const row of rows) (counts[TABLE_INDEX.get(row.table) as number] as number)++;
    return batch;
  }
  const listIndex = new Map<string, number>();
  const shape = new Uint16Array(rows.length * 2);
  const flat = batch.values;
  rows.forEach((row, r) => {
    const table = TABLE_INDEX.get(row.table) as number;
    (counts[table] as number)++;
    const all = Object.keys(row.values);
    const wanted = only?.[row.table];
    const names = wanted === undefined ? all : all.filter((n) => wanted.includes(n));
    const key = `${table}:${names.join(',')}`;
    let list = listIndex.get(key);
    if (list === undefined) {
      list = batch.columnLists.push(names) - 1;
      listIndex.set(key, list);
    }
    shape[2 * r] = table;
    shape[2 * r + 1] = list;
    for (const name of names) flat.push(row.values[name] as CebValue);
  });
  batch.shape = shape;
  return batch;
}

/** Walks the rows of a batch: table, column names, and where the row's values start. */
export function forEachRow(
  batch: RowBatch,
  visit: (table: BackupTable, names: readonly string[], at: number) => void,
): void {
  const { columnLists, shape } = batch;
  let at = 0;
  for (let r = 0; r < shape.length; r += 2) {
    const names = columnLists[shape[r + 1] as number] as string[];
    visit(BACKUP_TABLES[shape[r] as number] as BackupTable, names, at);
    at += names.length;
  }
}

/** Rows in a batch: what `shape` holds. */
export function rowCount(batch: RowBatch): number {
  return batch.shape.length / 2;
}

function valuesOf(
  batch: RowBatch,
  start: number,
  end: number,
  spans: ValueSpans | undefined,
): CebValue[] {
  if (spans === undefined) return batch.values.slice(start, end);
  const { spans: at, others } = spans;
  const b = Buffer.from(spans.bytes.buffer, spans.bytes.byteOffset, spans.bytes.byteLength);
  const out = new Array<CebValue>(end - start);
  for (let v = start; v < end; v++) {
    const a = at[2 * v] as number;
    const e = at[2 * v + 1] as number;
    out[v - start] = a >= 0 ? b.toString('utf8', a, e) : a === -1 ? null : (others[e] as CebValue);
  }
  return out;
}

/**
 * A batch taken in slices of at most `size` rows, in order, each with its values made (strings
 * from the batch's bytes when it has `spans`): a consumer that takes a batch's rows a few at a
 * time keeps only those rows' values alive.
 */
export function* slicesOf(batch: RowBatch, size: number): Generator<RowBatch> {
  const rows = rowCount(batch);
  if (batch.spans === undefined && rows <= size) {
    yield batch;
    return;
  }
  const { columnLists, shape } = batch;
  let start = 0;
  for (let from = 0; from < rows; from += size) {
    const to = Math.min(rows, from + size);
    let end = start;
    const counts = batch.counts.map(() => 0);
    for (let r = from; r < to; r++) {
      end += (columnLists[shape[2 * r + 1] as number] as string[]).length;
      (counts[shape[2 * r] as number] as number)++;
    }
    const part = shape.subarray(2 * from, 2 * to);
    yield { counts, columnLists, shape: part, values: valuesOf(batch, start, end, batch.spans) };
    start = end;
  }
}

/** The rows of a batch as objects again, in order. */
export function unpackRows(whole: RowBatch): BackupRow[] {
  const out: BackupRow[] = [];
  const [batch = whole] = whole.spans === undefined ? [] : slicesOf(whole, rowCount(whole));
  forEachRow(batch, (table, names, at) => {
    const values: Record<string, CebValue> = {};
    for (let i = 0; i < names.length; i++)
      values[names[i] as string] = batch.values[at + i] as CebValue;
    out.push({ table, values });
  });
  return out;
}
