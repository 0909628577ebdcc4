import type { BackupRow, CebValue } from './types.js';

const names = new Map<string, string>();

/** `"name":`, cached: the same few dozen column names repeat on every row. */
function jsonName(name: string): string {
  let json = names.get(name);
  if (json === undefined) {
    json = `${JSON.stringify(name)}:`;
    if (names.size < 4096) names.set(name, json);
  }
  return json;
}

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
  for (const name in values) {
    const value = values[name] as CebValue;
    if (first) first = false;
    else text += ',';
    text += jsonName(name);
    text +=
      typeof value === 'bigint'
        ? value.toString()
        : value === null
          ? 'null'
          : JSON.stringify(value);
  }
  return escapeSeparators(`${text}}}`);
}
