import { sqliteRealText } from './sqlite-real.js';
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

/** SQLite's text for a number: integers plainly, reals as SQLite 3.40's `%!.15g`. */
function sqliteNumberText(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 2 ** 63) return BigInt(n).toString();
  return sqliteRealText(n);
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
  /** The same for a raw row: values in the order of `columns`. */
  rowRaw(table: BackupTable, columns: readonly string[], values: readonly DbValue[]): string;
  /**
   * Rows given as text (see {@link jsonRowTemplate}), each preceded by its comma; returns the
   * bytes to write (the first row of the body gets the opening bracket instead). Format 2 only.
   */
  jsonRows(text: string): string;
  /** Text that closes the body. */
  end(): string;
}

export function createBodyWriter(version: FormatVersion): BodyWriter {
  return version === 1 ? new SqlBodyWriter() : new JsonBodyWriter();
}

const VALUE = 0;
/** The account's rosterversion: always null. */
const ALWAYS_NULL = 1;
/** The account's options: a number with the disabled bit, when it is one. */
const OPTIONS = 2;

/** How one table's rows with one column list are written: worked out once, used for every row. */
interface Plan {
  table: BackupTable;
  columns: readonly string[];
  /** Indices of the columns written (all but the skipped ones). */
  keep: number[];
  /** Per written column: its name as the format writes it, with the separator before it. */
  names: string[];
  kinds: number[];
  /** The written column names joined by commas (format 1's statement key). */
  key: string;
}

function makePlan(
  table: BackupTable,
  columns: readonly string[],
  name: (column: string, first: boolean) => string,
): Plan {
  const keep: number[] = [];
  const names: string[] = [];
  const kinds: number[] = [];
  const account = table === 'accounts';
  columns.forEach((column, i) => {
    if (skipColumn(table, column)) return;
    names.push(name(column, keep.length === 0));
    keep.push(i);
    kinds.push(
      account && column === 'rosterversion'
        ? ALWAYS_NULL
        : account && column === 'options'
          ? OPTIONS
          : VALUE,
    );
  });
  return { table, columns, keep, names, kinds, key: keep.map((i) => columns[i]).join(',') };
}

function sameColumns(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Plans by table and column list; the previous row's plan is checked first (almost always it). */
class Plans {
  private last: Plan | undefined;
  private readonly all: Plan[] = [];

  constructor(private readonly name: (column: string, first: boolean) => string) {}

  get(table: BackupTable, columns: readonly string[]): Plan {
    const last = this.last;
    if (last !== undefined && last.table === table && sameColumns(last.columns, columns)) {
      return last;
    }
    let plan = this.all.find((p) => p.table === table && sameColumns(p.columns, columns));
    if (plan === undefined) {
      plan = makePlan(table, columns, this.name);
      if (this.all.length < 64) this.all.push(plan);
    }
    this.last = plan;
    return plan;
  }
}

function valuesOf(row: DbRow): { columns: string[]; values: DbValue[] } {
  const columns = Object.keys(row.values);
  return { columns, values: columns.map((c) => row.values[c] ?? null) };
}

// eslint-disable-next-line no-control-regex -- gson escapes exactly these characters
const NEEDS_JSON_ESCAPE = /["\\\u0000-\u001f\u2028\u2029]/;

/** {@link gsonString}, without the replace when nothing needs escaping (nearly every value). */
function jsonText(text: string): string {
  return NEEDS_JSON_ESCAPE.test(text) ? gsonString(text) : `"${text}"`;
}

const jsonName = (column: string, first: boolean): string =>
  `${first ? '' : ','}${gsonString(column)}:`;

/**
 * How format 2 writes a row of `table` with these columns, for a producer that builds the text
 * itself (ferry's store has SQLite do it): `open`, then for each written column its name
 * (`names[i]`, with the comma before it; undefined for a column not written) and its value, then
 * `close`. A value is written as `null`, a text as gson writes the string (SQLite's `json_quote`
 * does the same, except for U+2028/U+2029, see {@link isPlainJsonText}), an integer as the
 * string of its digits. A row holding any other value (a REAL, a BLOB) must be given to the
 * writer as values; a producer that can't tell beforehand writes {@link NOT_PLAIN} in the
 * value's place, and the check refuses the text. Undefined when the table's rows need the
 * writer's own code (the account).
 */
export interface JsonRowTemplate {
  open: string;
  names: (string | undefined)[];
  close: string;
}

/** A character gson never writes raw (it escapes every control character). */
export const NOT_PLAIN = '\u0001';

export function jsonRowTemplate(
  table: BackupTable,
  columns: readonly string[],
): JsonRowTemplate | undefined {
  if (table === 'accounts') return undefined;
  const plan = makePlan(table, columns, jsonName);
  if (plan.kinds.some((k) => k !== VALUE)) return undefined;
  const names: (string | undefined)[] = columns.map(() => undefined);
  plan.keep.forEach((i, k) => (names[i] = plan.names[k]));
  return { open: `{"table":${gsonString(table)},"values":{`, names, close: '}}' };
}

/**
 * Whether text a producer built from a {@link JsonRowTemplate} (in SQLite, from the stored
 * values, read as a string) is exactly what the writer writes for the same values: no U+2028 or
 * U+2029 (which gson escapes and `json_quote` does not) and no {@link NOT_PLAIN}. When not, give
 * the rows as values.
 */
export function isPlainJsonText(text: string): boolean {
  return !text.includes('\u2028') && !text.includes('\u2029') && !text.includes(NOT_PLAIN);
}

class JsonBodyWriter implements BodyWriter {
  private first = true;
  private readonly plans = new Plans(jsonName);

  jsonRows(text: string): string {
    if (!text.startsWith(',')) throw new Error('rows given as text must each start with a comma');
    if (!this.first) return text;
    this.first = false;
    return `[${text.slice(1)}`;
  }

  row(row: DbRow): string {
    const { columns, values } = valuesOf(row);
    return this.rowRaw(row.table, columns, values);
  }

  rowRaw(table: BackupTable, columns: readonly string[], values: readonly DbValue[]): string {
    const plan = this.plans.get(table, columns);
    let text = this.first ? '[' : ',';
    this.first = false;
    text += `{"table":${gsonString(table)},"values":{`;
    const { keep, names, kinds } = plan;
    for (let k = 0; k < keep.length; k++) {
      text += names[k] as string;
      const value = values[keep[k] as number] ?? null;
      const kind = kinds[k];
      if (typeof value === 'string' && kind === VALUE) {
        text += jsonText(value);
        continue;
      }
      const s = cursorString(value);
      if (s === null || kind === ALWAYS_NULL) {
        text += 'null';
      } else if (kind === OPTIONS) {
        const options = disabledOptions(s);
        text += options === undefined ? gsonString(s) : options.toString();
      } else {
        text += jsonText(s);
      }
    }
    return `${text}}}`;
  }

  end(): string {
    return this.first ? '[]' : ']';
  }
}

const NEEDS_SQL_ESCAPE = /['\0]/;

function sqlText(text: string): string {
  return NEEDS_SQL_ESCAPE.test(text) ? sqlString(text) : `'${text}'`;
}

class SqlBodyWriter implements BodyWriter {
  private current: Plan | undefined;
  private inStatement = 0;
  private readonly plans = new Plans((column) => column);

  row(row: DbRow): string {
    const { columns, values } = valuesOf(row);
    return this.rowRaw(row.table, columns, values);
  }

  rowRaw(table: BackupTable, columns: readonly string[], values: readonly DbValue[]): string {
    const plan = this.plans.get(table, columns);
    let text = '';
    const account = table === 'accounts';
    const sameStatement =
      !account &&
      this.inStatement > 0 &&
      this.inStatement < ROWS_PER_STATEMENT &&
      this.current !== undefined &&
      this.current.table === table &&
      this.current.key === plan.key;
    if (sameStatement) {
      text += ',(';
    } else {
      if (this.inStatement > 0) text += ';\n';
      text += `INSERT INTO ${table}(${plan.key}) VALUES(`;
      this.inStatement = 0;
    }
    this.current = plan;
    this.inStatement++;
    const { keep, kinds } = plan;
    for (let k = 0; k < keep.length; k++) {
      if (k > 0) text += ',';
      const value = values[keep[k] as number] ?? null;
      const s = typeof value === 'string' ? value : cursorString(value);
      if (s === null || kinds[k] === ALWAYS_NULL) {
        text += 'NULL';
      } else if (account) {
        const options = kinds[k] === OPTIONS ? disabledOptions(s) : undefined;
        text += options === undefined ? sqlString(s) : options.toString();
      } else if (DIGITS.test(s)) {
        text += s;
      } else {
        text += sqlText(s);
      }
    }
    text += ')';
    if (account) {
      text += ';\n';
      this.inStatement = 0;
    }
    return text;
  }

  jsonRows(): string {
    throw new Error('rows as JSON text cannot go into a format-1 (SQL) body');
  }

  end(): string {
    return this.inStatement > 0 ? ';\n' : '';
  }
}
