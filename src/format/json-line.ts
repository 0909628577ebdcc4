import type { BackupRow } from './types.js';

const LINE_SEPARATORS = /[\u2028\u2029]/g;

function escapeSeparators(text: string): string {
  if (!text.includes('\u2028') && !text.includes('\u2029')) return text;
  return text.replace(LINE_SEPARATORS, (c) => (c === '\u2028' ? '\\u2028' : '\\u2029'));
}

/**
 * One row as a JSON line `{"table":…,"values":{…}}` (no newline): bigints written exactly as
 * numbers, U+2028/U+2029 escaped so the line is safe in JavaScript source too.
 */
export function rowToJsonLine(row: BackupRow): string {
  const { values } = row;
  let exact = false;
  for (const name in values) {
    if (typeof values[name] === 'bigint') {
      exact = true;
      break;
    }
  }
  if (!exact) {
    return escapeSeparators(
      `{"table":${JSON.stringify(row.table)},"values":${JSON.stringify(values)}}`,
    );
  }
  let text = `{"table":${JSON.stringify(row.table)},"values":{`;
  let first = true;
  for (const [name, value] of Object.entries(values)) {
    if (!first) text += ',';
    first = false;
    text += `${JSON.stringify(name)}:${typeof value === 'bigint' ? value.toString() : JSON.stringify(value)}`;
  }
  return escapeSeparators(`${text}}}`);
}
