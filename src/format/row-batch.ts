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
  /** Every value of every row, one after the other. Empty without values. */
  values: CebValue[];
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

/** The rows of a batch as objects again, in order. */
export function unpackRows(batch: RowBatch): BackupRow[] {
  const out: BackupRow[] = [];
  forEachRow(batch, (table, names, at) => {
    const values: Record<string, CebValue> = {};
    for (let i = 0; i < names.length; i++)
      values[names[i] as string] = batch.values[at + i] as CebValue;
    out.push({ table, values });
  });
  return out;
}
