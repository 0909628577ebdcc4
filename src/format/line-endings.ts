import type { RowBatch } from './row-batch.js';

/**
 * A row as Conversations restores it. Conversations reads a format-1 file's SQL text line by line
 * and joins the lines with `\n`, so a carriage return inside a value (`\r\n`, or a lone `\r`) comes
 * back as `\n`; format 2 keeps text exactly. ferry applies this one rule wherever a backup's rows
 * are restored: `backup import` and every `export` (docs/migration.md, "Line breaks").
 */
export function asConversationsRestores<R extends { values: Record<string, unknown> }>(
  row: R,
  formatVersion: number,
): R {
  if (formatVersion !== 1) return row;
  let values: Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(row.values)) {
    if (typeof v === 'string' && v.includes('\r')) {
      values ??= { ...row.values };
      values[k] = v.replace(/\r\n?/g, '\n');
    }
  }
  return values === undefined ? row : { ...row, values };
}

/** {@link asConversationsRestores} for a batch of rows (changed in place; returned for chaining). */
export function asConversationsRestoresBatch(batch: RowBatch, formatVersion: number): RowBatch {
  if (formatVersion !== 1) return batch;
  const values = batch.values;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v === 'string' && v.includes('\r')) values[i] = v.replace(/\r\n?/g, '\n');
  }
  return batch;
}
