import type { BackupRow, CebValue } from './types.js';

function valueJson(value: CebValue): string {
  if (typeof value === 'bigint') return value.toString();
  return JSON.stringify(value).replace(/[\u2028\u2029]/g, (c) =>
    c === '\u2028' ? '\\u2028' : '\\u2029',
  );
}

/** One row as a JSON line `{"table":…,"values":{…}}` (no newline); bigints written exactly. */
export function rowToJsonLine(row: BackupRow): string {
  let text = `{"table":${JSON.stringify(row.table)},"values":{`;
  let first = true;
  for (const [name, value] of Object.entries(row.values)) {
    if (!first) text += ',';
    first = false;
    text += `${JSON.stringify(name)}:${valueJson(value)}`;
  }
  return `${text}}}`;
}
