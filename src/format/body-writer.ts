import type { BackupTable, DbRow, DbValue, FormatVersion } from './types.js';

/** Conversations' account option bit 1: the account is disabled. */
export const OPTION_DISABLED_BIT = 1;
const ROWS_PER_STATEMENT = 20;
const DIGITS = /^[0-9]+$/;

/** The value as Android's `Cursor.getString` gives it. */
export function cursorString(value: DbValue): string | null {
  if (value === null) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return sqliteNumberText(value);
  return Buffer.from(value).toString('utf8');
}

/** SQLite's text for a number: integers plainly, reals as `%!.15g`. */
function sqliteNumberText(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 2 ** 63) return BigInt(n).toString();
  if (!Number.isFinite(n)) return n > 0 ? 'Inf' : n < 0 ? '-Inf' : '';
  let text = n.toPrecision(15);
  if (text.includes('e')) {
    const [mantissa = '', exp = ''] = text.split('e');
    const m = mantissa.includes('.') ? mantissa.replace(/0+$/, '').replace(/\.$/, '.0') : mantissa;
    const e = Number(exp);
    text = `${m}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  } else if (text.includes('.')) {
    text = text.replace(/0+$/, '').replace(/\.$/, '.0');
  } else {
    text = `${text}.0`;
  }
  return text;
}

/** Columns Conversations leaves out of a backup, per table. */
function skipColumn(table: BackupTable, column: string): boolean {
  return table === 'identities' && column === 'trusted';
}

/** The account's `options` with the disabled bit set, when it is a digit string. */
function disabledOptions(text: string): bigint | undefined {
  return DIGITS.test(text) ? BigInt(text) | (1n << BigInt(OPTION_DISABLED_BIT)) : undefined;
}

/** `DatabaseUtils.appendEscapedSQLString` with NUL characters removed. */
function sqlString(text: string): string {
  return `'${text.replace(/\0/g, '').replace(/'/g, "''")}'`;
}

// eslint-disable-next-line no-control-regex -- gson escapes exactly these characters
const JSON_ESCAPE = /["\\\u0000-\u001f\u2028\u2029]/g;
const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\t': '\\t',
  '\b': '\\b',
  '\n': '\\n',
  '\r': '\\r',
  '\f': '\\f',
};

/** A JSON string as gson's JsonWriter writes it (not HTML-safe): lowercase `\u00xx` escapes. */
export function gsonString(text: string): string {
  return `"${text.replace(
    JSON_ESCAPE,
    (c) => SHORT_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )}"`;
}

/** Turns rows into body text, exactly as Conversations' exporter writes it. */
export interface BodyWriter {
  /** Text for one more row (possibly empty while a statement is being gathered). */
  row(row: DbRow): string;
  /** Text that closes the body. */
  end(): string;
}

export function createBodyWriter(version: FormatVersion): BodyWriter {
  return version === 1 ? new SqlBodyWriter() : new JsonBodyWriter();
}

class JsonBodyWriter implements BodyWriter {
  private first = true;

  row(row: DbRow): string {
    let text = this.first ? '[' : ',';
    this.first = false;
    text += `{"table":${gsonString(row.table)},"values":{`;
    let firstValue = true;
    const account = row.table === 'accounts';
    for (const [column, value] of Object.entries(row.values)) {
      if (skipColumn(row.table, column)) continue;
      if (!firstValue) text += ',';
      firstValue = false;
      text += `${gsonString(column)}:`;
      const s = cursorString(value);
      if (s === null || (account && column === 'rosterversion')) {
        text += 'null';
      } else if (account && column === 'options') {
        const options = disabledOptions(s);
        text += options === undefined ? gsonString(s) : options.toString();
      } else {
        text += gsonString(s);
      }
    }
    return `${text}}}`;
  }

  end(): string {
    return this.first ? '[]' : ']';
  }
}

class SqlBodyWriter implements BodyWriter {
  private table: BackupTable | undefined;
  private columnsKey = '';
  private inStatement = 0;

  row(row: DbRow): string {
    const columns = Object.keys(row.values).filter((c) => !skipColumn(row.table, c));
    const key = columns.join(',');
    let text = '';
    const account = row.table === 'accounts';
    const sameStatement =
      !account &&
      this.inStatement > 0 &&
      this.inStatement < ROWS_PER_STATEMENT &&
      this.table === row.table &&
      this.columnsKey === key;
    if (sameStatement) {
      text += ',(';
    } else {
      if (this.inStatement > 0) text += ';\n';
      text += `INSERT INTO ${row.table}(${key}) VALUES(`;
      this.inStatement = 0;
    }
    this.table = row.table;
    this.columnsKey = key;
    this.inStatement++;
    let first = true;
    for (const column of columns) {
      if (!first) text += ',';
      first = false;
      const s = cursorString(row.values[column] ?? null);
      if (s === null || (account && column === 'rosterversion')) {
        text += 'NULL';
      } else if (account) {
        const options = column === 'options' ? disabledOptions(s) : undefined;
        text += options === undefined ? sqlString(s) : options.toString();
      } else if (DIGITS.test(s)) {
        text += s;
      } else {
        text += sqlString(s);
      }
    }
    text += ')';
    if (account) {
      text += ';\n';
      this.inStatement = 0;
    }
    return text;
  }

  end(): string {
    return this.inStatement > 0 ? ';\n' : '';
  }
}
