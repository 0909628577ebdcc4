import type Database from 'better-sqlite3';
import {
  BACKUP_TABLES,
  type BackupRow,
  type BackupTable,
  type DbRow,
  type DbValue,
  type RawDbRow,
} from '@ferry/ceb-format/header';
import type { ContentLedger } from '@ferry/ceb-format/content-check';
import {
  isPlainJsonText,
  jsonRowTemplate,
  NOT_PLAIN,
  type JsonRowsText,
  type JsonRowTemplate,
  type RowBatch,
  sqliteLiteralReal,
  sqliteRealText,
} from '@ferry/ceb-format';
import { ConflictingDataError } from './errors.js';

export type { DbRow, DbValue, JsonRowsText, RawDbRow };

/** How many rows of each table a backup of the account holds. */
export type BackupRowCounts = Record<BackupTable, number>;

const MESSAGES_OF_ACCOUNT =
  'SELECT messages.* FROM messages JOIN conversations ON conversations.uuid = messages.conversationUuid ' +
  'WHERE conversations.accountUuid = ?';

function tableQuery(table: BackupTable): string {
  switch (table) {
    case 'accounts':
      return 'SELECT * FROM accounts WHERE uuid = ?';
    case 'conversations':
      return 'SELECT * FROM conversations WHERE accountUuid = ?';
    case 'messages':
      return MESSAGES_OF_ACCOUNT;
    default:
      return `SELECT * FROM ${table} WHERE account = ?`;
  }
}

/** Counts the rows {@link readBackupRows} will produce, per table (for progress). */
export function countBackupRows(db: Database.Database, accountUuid: string): BackupRowCounts {
  const counts = {} as BackupRowCounts;
  for (const table of BACKUP_TABLES) {
    const sql = `SELECT count(*) FROM (${tableQuery(table)})`;
    counts[table] = Number(db.prepare(sql).pluck().get(accountUuid));
  }
  return counts;
}

/**
 * The account's rows in the order Conversations exports them: the account, its conversations,
 * their messages, then prekeys, signed prekeys, sessions and identities. Every column is returned
 * (including ones ferry doesn't know); integers come as bigint so nothing is rounded. The rows are
 * read lazily: the connection is busy until the iteration ends, so give it a connection of its own
 * (ideally inside a read transaction, for one consistent snapshot).
 */
export function* readBackupRows(db: Database.Database, accountUuid: string): Generator<DbRow> {
  for (const table of BACKUP_TABLES) {
    const stmt = db.prepare(tableQuery(table)).safeIntegers(true);
    for (const values of stmt.iterate(accountUuid) as Iterable<Record<string, DbValue>>) {
      yield { table, values };
    }
  }
}

/**
 * {@link readBackupRows} in SQLite's raw form: each row's values as an array in the order of its
 * table's `columns` (one array per table, shared by its rows) — no object per row, for writers.
 */
export function* readBackupRowsRaw(
  db: Database.Database,
  accountUuid: string,
): Generator<RawDbRow> {
  for (const table of BACKUP_TABLES) yield* rawRows(db, table, accountUuid);
}

/** A table's rows in raw form (see {@link readBackupRowsRaw}). */
function* rawRows(
  db: Database.Database,
  table: BackupTable,
  accountUuid: string,
): Generator<RawDbRow> {
  const stmt = db.prepare(tableQuery(table)).safeIntegers(true).raw(true);
  const columns = stmt.columns().map((c) => c.name);
  for (const raw of stmt.iterate(accountUuid) as Iterable<DbValue[]>) {
    yield { table, columns, raw };
  }
}

/** Message rows are passed on in runs of this many. */
const JSON_RUN = 256;
/** Beyond this many columns `concat` would pass SQLite's limit of 127 arguments: rows raw. */
const MAX_JSON_COLUMNS = 60;

const sqlName = (column: string): string => `messages."${column.replace(/"/g, '""')}"`;
const sqlLiteral = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/**
 * One message row as format-2 text, built by SQLite (see the format's `jsonRowTemplate`): the
 * comma, the names, each value as gson writes it, all in one `concat` (one allocation per row,
 * where `||` copies the growing text once per piece). A REAL or a BLOB value is written as the
 * format's NOT_PLAIN character: its check then refuses the row. Read as a string (on V8's heap,
 * collected young; a Buffer per row would pile up outside it between collections).
 */
function messageJsonSql(template: JsonRowTemplate, columns: readonly string[]): string {
  const parts = [sqlLiteral(`,${template.open}`)];
  columns.forEach((column, i) => {
    const name = template.names[i];
    if (name === undefined) return;
    const c = sqlName(column);
    parts.push(
      sqlLiteral(name),
      `CASE typeof(${c}) WHEN 'text' THEN json_quote(${c}) WHEN 'integer' THEN '"' || ${c} || '"' ` +
        `WHEN 'null' THEN 'null' ELSE char(${NOT_PLAIN.charCodeAt(0)}) END`,
    );
  });
  parts.push(sqlLiteral(template.close));
  return `concat(${parts.join(', ')})`;
}

/**
 * The account's messages with SQLite writing each row's format-2 text (in C, much cheaper than
 * reading the values into JavaScript and writing them there), in the order of
 * {@link readBackupRowsRaw}. A row the format's check refuses (a REAL or BLOB value,
 * U+2028/U+2029) is read again by its rowid and given raw. (A text with invalid UTF-8 reads
 * as the same U+FFFD characters either way: the bytes around it are ASCII.) Undefined when this table
 * can't be read so (the caller reads it raw).
 */
function jsonMessages(
  db: Database.Database,
  accountUuid: string,
): Generator<JsonRowsText | RawDbRow> | undefined {
  const columns = db
    .prepare(MESSAGES_OF_ACCOUNT)
    .columns()
    .map((c) => c.name);
  const template = jsonRowTemplate('messages', columns);
  const lower = new Set(columns.map((c) => c.toLowerCase()));
  const rowid = ['rowid', '_rowid_', 'oid'].find((name) => !lower.has(name));
  if (template === undefined || rowid === undefined || columns.length > MAX_JSON_COLUMNS) {
    return undefined;
  }
  let stmt: Database.Statement;
  try {
    stmt = db
      .prepare(
        `SELECT ${messageJsonSql(template, columns)}, messages.${rowid} ` +
          MESSAGES_OF_ACCOUNT.slice('SELECT messages.* '.length),
      )
      .safeIntegers(true)
      .raw(true);
  } catch {
    return undefined;
  }
  const one = db.prepare(`SELECT * FROM messages WHERE ${rowid} = ?`).safeIntegers(true).raw(true);
  const oneColumns = one.columns().map((c) => c.name);
  if (oneColumns.join('\0') !== columns.join('\0')) return undefined;
  const table = 'messages';
  const asRaw = (id: bigint): RawDbRow => ({
    table,
    columns,
    raw: one.get(id) as DbValue[],
  });
  return (function* () {
    let texts: string[] = [];
    let ids: bigint[] = [];
    function* run(): Generator<JsonRowsText | RawDbRow> {
      // The rows the format's check refuses are given raw, in their place.
      let plain: string[] = [];
      for (const [i, text] of texts.entries()) {
        if (isPlainJsonText(text)) {
          plain.push(text);
          continue;
        }
        if (plain.length > 0) yield { table, json: plain, rows: plain.length };
        plain = [];
        yield asRaw(ids[i] as bigint);
      }
      if (plain.length > 0) yield { table, json: plain, rows: plain.length };
      texts = [];
      ids = [];
    }
    for (const [text, id] of stmt.iterate(accountUuid) as Iterable<[string, bigint]>) {
      texts.push(text);
      ids.push(id);
      if (texts.length >= JSON_RUN) yield* run();
    }
    yield* run();
  })();
}

/**
 * What a backup of the account in `version` is written from: {@link readBackupRowsRaw}, except
 * that for format 2 the messages come as text SQLite wrote (runs of rows, see
 * {@link JsonRowsText}), checked by the format library, with any row it refuses given raw.
 */
export function* readBackupItems(
  db: Database.Database,
  accountUuid: string,
  version: 1 | 2,
): Generator<RawDbRow | JsonRowsText> {
  for (const table of BACKUP_TABLES) {
    const messages =
      version === 2 && table === 'messages' ? jsonMessages(db, accountUuid) : undefined;
    yield* messages ?? rawRows(db, table, accountUuid);
  }
}

// What Conversations' importer accepts as a column name, so that files ferry writes stay importable.
const SAFE_COLUMN_NAME = /^[A-Za-z_]+$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * A value from a backup file as SQLite should receive it. `textColumn` says the column has TEXT
 * affinity, where SQLite would turn a REAL into text.
 */
export function toSqlValue(
  value: BackupRow['values'][string] | Uint8Array,
  textColumn = false,
): DbValue {
  if (typeof value === 'bigint') {
    if (value >= INT64_MIN && value <= INT64_MAX) return value;
    // A literal beyond 64 bits is read by SQLite as a REAL; store what Conversations' SQLite stores.
    const real = sqliteLiteralReal(value);
    return textColumn ? sqliteRealText(real) : real;
  }
  if (typeof value === 'number' && Number.isInteger(value)) {
    const big = BigInt(value);
    return big >= INT64_MIN && big <= INT64_MAX ? big : value;
  }
  return value;
}

interface PreparedInsert {
  names: readonly string[];
  stmt: Database.Statement;
  /** Which columns have TEXT affinity. */
  text: boolean[];
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** SQLite's affinity rules: INT first, then CHAR/CLOB/TEXT. */
function hasTextAffinity(declaredType: string): boolean {
  const t = declaredType.toUpperCase();
  return !t.includes('INT') && (t.includes('CHAR') || t.includes('CLOB') || t.includes('TEXT'));
}

/**
 * Inserts rows of the seven backup tables with bound parameters. A column the table doesn't have is
 * added (`ALTER TABLE … ADD COLUMN`, no declared type) when its name is a plain identifier, so data
 * from newer Conversations releases survives a round trip. Runs inside the caller's transaction.
 */
export class BackupRowInserter {
  /** Per table: lower-cased column name → whether it has TEXT affinity. */
  private readonly columns = new Map<BackupTable, Map<string, boolean>>();
  /** Per table and column list: the INSERT and which of its columns have TEXT affinity. */
  private readonly statements = new Map<string, PreparedInsert>();
  /** The statement the previous row of each table used. */
  private readonly last = new Map<BackupTable, PreparedInsert>();
  readonly counts: BackupRowCounts = Object.fromEntries(
    BACKUP_TABLES.map((t) => [t, 0]),
  ) as BackupRowCounts;
  /** Columns added to the schema because a backup held them. */
  readonly addedColumns: string[] = [];

  constructor(private readonly db: Database.Database) {}

  insert(row: BackupRow | DbRow): void {
    if (!(BACKUP_TABLES as readonly string[]).includes(row.table)) {
      throw new ConflictingDataError(`rows of table "${row.table}" cannot be restored`);
    }
    const names = Object.keys(row.values);
    // Fast path: the same columns as the previous row of this table (almost always the case).
    let prepared = this.last.get(row.table);
    if (!prepared || !sameNames(prepared.names, names)) {
      prepared = this.prepare(row.table, names);
      this.last.set(row.table, prepared);
    }
    const { text } = prepared;
    const params = new Array<DbValue>(names.length);
    for (let i = 0; i < names.length; i++) {
      const value = row.values[names[i] as string] ?? null;
      params[i] = typeof value === 'string' || value === null ? value : toSqlValue(value, text[i]);
    }
    this.run(row.table, prepared, params);
  }

  /**
   * Inserts the rows of a batch from the format library's parser threads, in order, binding
   * straight from its flat array of values (no object per row).
   */
  insertBatch(batch: RowBatch): void {
    const { values } = batch;
    const byList: (PreparedInsert | undefined)[] = [];
    const { columnLists, shape } = batch;
    let at = 0;
    for (let r = 0; r < shape.length; r += 2) {
      const table = BACKUP_TABLES[shape[r] as number] as BackupTable;
      const list = shape[r + 1] as number;
      const names = columnLists[list] as string[];
      let prepared = byList[list];
      if (prepared === undefined) {
        prepared = this.prepare(table, names);
        byList[list] = prepared;
      }
      const { text } = prepared;
      const params = new Array<DbValue>(names.length);
      for (let i = 0; i < names.length; i++) {
        const value = values[at + i] ?? null;
        params[i] =
          typeof value === 'string' || value === null ? value : toSqlValue(value, text[i]);
      }
      at += names.length;
      this.run(table, prepared, params);
    }
  }

  private run(table: BackupTable, prepared: PreparedInsert, params: DbValue[]): void {
    try {
      prepared.stmt.run(params);
    } catch (err) {
      if (
        err instanceof Error &&
        'code' in err &&
        String(err.code).startsWith('SQLITE_CONSTRAINT')
      ) {
        throw new ConflictingDataError(
          `a ${table} row of the backup clashes with data already on this device (${err.message})`,
        );
      }
      throw err;
    }
    this.counts[table]++;
  }

  private prepare(table: BackupTable, names: readonly string[]): PreparedInsert {
    const key = `${table}\u0000${names.join('\u0000')}`;
    let prepared = this.statements.get(key);
    if (!prepared) {
      this.ensureColumns(table, names);
      const affinity = this.columns.get(table);
      const cols = names.map((n) => `"${n}"`).join(', ');
      const marks = names.map(() => '?').join(', ');
      prepared = {
        names,
        stmt: this.db.prepare(`INSERT INTO ${table} (${cols}) VALUES (${marks})`),
        text: names.map((n) => affinity?.get(n.toLowerCase()) ?? false),
      };
      this.statements.set(key, prepared);
    }
    return prepared;
  }

  private ensureColumns(table: BackupTable, names: readonly string[]): void {
    let known = this.columns.get(table);
    if (!known) {
      const info = this.db.prepare(`PRAGMA table_info(${table})`).all() as {
        name: string;
        type: string;
      }[];
      known = new Map(info.map((c) => [c.name.toLowerCase(), hasTextAffinity(c.type)]));
      this.columns.set(table, known);
    }
    for (const name of names) {
      if (known.has(name.toLowerCase())) continue;
      if (!SAFE_COLUMN_NAME.test(name)) {
        throw new ConflictingDataError(
          `the backup names a column "${name}" that cannot be created`,
        );
      }
      this.db.exec(`ALTER TABLE ${table} ADD COLUMN "${name}"`);
      known.set(name.toLowerCase(), false);
      this.addedColumns.push(`${table}.${name}`);
    }
  }
}

/** Inserts rows (see {@link BackupRowInserter}); returns how many of each table went in. */
export function insertBackupRows(
  db: Database.Database,
  rows: Iterable<BackupRow | DbRow>,
): BackupRowCounts {
  const inserter = new BackupRowInserter(db);
  for (const row of rows) inserter.insert(row);
  return inserter.counts;
}

/**
 * The content checks' ledger during an import, kept by the database itself inside the import's
 * transaction (flat memory whatever the file holds): a message's conversation must be one this
 * file restored for its account; duplicate uuids are refused by the tables' primary keys.
 */
export class ImportLedger implements ContentLedger {
  private readonly conversation: Database.Statement;
  constructor(
    db: Database.Database,
    private readonly accountUuid: () => string | undefined,
  ) {
    this.conversation = db
      .prepare('SELECT 1 FROM conversations WHERE uuid = ? AND accountUuid = ?')
      .pluck();
  }
  /** Conversations of the batch being checked, not inserted yet (at most one batch of them). */
  private readonly pending = new Set<string>();
  addConversation(uuid: string): boolean {
    this.pending.add(uuid);
    return true;
  }
  /** The checked batch went in: its conversations are in the database now. */
  inserted(): void {
    this.pending.clear();
  }
  private last: string | undefined;
  hasConversation(uuid: string): boolean {
    // Messages come grouped by conversation: one look-up per conversation, not per message.
    if (uuid === this.last || this.pending.has(uuid)) return true;
    const found = this.conversation.get(uuid, this.accountUuid() ?? null) !== undefined;
    if (found) this.last = uuid;
    return found;
  }
  addMessage(): boolean {
    return true;
  }
}
