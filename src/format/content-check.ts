import { MalformedContentError } from './errors.js';
import { FingerprintSet } from './fingerprint-set.js';
import { SpillingSet } from './spilling-set.js';
import { forEachRow, type RowBatch } from './row-batch.js';
import type { BackupHeader, BackupRow, BackupTable, CebValue } from './types.js';

/**
 * What has been seen of the file so far, for the checks that look back: which conversations the
 * file holds and which message uuids. `backup verify` keeps it in memory ({@link CompactLedger});
 * an import asks its database inside its transaction instead.
 */
export interface ContentLedger {
  /** A conversation of the backup's account; false when the file already had this uuid. */
  addConversation(uuid: string): boolean;
  /** Whether the file holds (so far) a conversation with this uuid, of the backup's account. */
  hasConversation(uuid: string): boolean;
  /** False when the file already had a message with this uuid (of row `row`). */
  addMessage(uuid: string, row: number): boolean;
  /**
   * For a ledger that finds some repeats only later (one with bounded memory): the first row
   * before `before` whose message uuid an earlier row had, with that uuid.
   */
  earliestRepeat?(before?: number): { row: number; text: string } | undefined;
  /** Frees what the ledger holds (scratch files). */
  dispose?(): void;
}

/**
 * The ledger of `verify`: fingerprints only, about 16 bytes per conversation (see FingerprintSet);
 * message uuids in bounded memory, older ones in a scratch file (see SpillingSet).
 */
export class CompactLedger implements ContentLedger {
  private readonly conversations = new FingerprintSet();
  private readonly messages = new SpillingSet();
  addConversation(uuid: string): boolean {
    return this.conversations.add(uuid);
  }
  /** The conversation last found (messages come grouped by conversation). */
  private lastFound: string | undefined;
  hasConversation(uuid: string): boolean {
    if (uuid === this.lastFound) return true;
    if (!this.conversations.has(uuid)) return false;
    this.lastFound = uuid;
    return true;
  }
  addMessage(uuid: string, row: number): boolean {
    return this.messages.add(uuid, row);
  }
  earliestRepeat(before?: number): { row: number; text: string } | undefined {
    return this.messages.earliestRepeat(before);
  }
  dispose(): void {
    this.messages.dispose();
  }
}

/** The column naming the account, per table (messages belong through their conversation). */
const ACCOUNT_COLUMN: Partial<Record<BackupTable, string>> = {
  conversations: 'accountUuid',
  prekeys: 'account',
  signed_prekeys: 'account',
  sessions: 'account',
  identities: 'account',
};

function text(value: unknown): string {
  return JSON.stringify(String(value).slice(0, 80));
}

/**
 * The checks a backup's rows must pass to be what Conversations writes for one account: the first
 * row is the one `accounts` row, for the header's address; every other row belongs to that
 * account (conversations and the four key tables by their account column, messages through a
 * conversation of the file, which comes before them); message and conversation uuids are unique;
 * no two columns of a row differ only in case (SQLite would merge them); a format-1 string holds
 * no NUL (Conversations' writer removes them), a format-2 string no lone surrogate. Cheap per row; what it keeps is in the ledger.
 * Used by both `verify` and import, so that a file that verifies also imports.
 */
export class BackupContentCheck {
  private rowNumber = 0;
  private uuid: string | undefined;
  private readonly lastColumns = new Map<BackupTable, readonly string[]>();

  constructor(
    private readonly header: BackupHeader,
    private readonly ledger: ContentLedger = new CompactLedger(),
  ) {}

  /** The account row's uuid, once it has been checked. */
  get accountUuid(): string | undefined {
    return this.uuid;
  }

  /** Checks one row, in file order; throws a MalformedContentError naming the row. */
  check(row: BackupRow): void {
    const names = Object.keys(row.values);
    this.checkValues(
      row.table,
      names,
      names.map((n) => row.values[n] as CebValue),
      0,
    );
  }

  /** Checks the rows of a batch (values included), in file order. */
  checkBatch(batch: RowBatch): void {
    forEachRow(batch, (table, names, at) => this.checkValues(table, names, batch.values, at));
  }

  /** One row: its table, its column names, and its values at `values[at…]`. */
  checkValues(
    table: BackupTable,
    names: readonly string[],
    values: readonly CebValue[],
    at: number,
  ): void {
    this.rowNumber++;
    const value = (column: string): CebValue | undefined => {
      const i = names.indexOf(column);
      return i < 0 ? undefined : values[at + i];
    };
    this.checkColumns(table, names);
    if (this.header.version === 1) this.checkNoNul(table, names, values, at);
    else this.checkWellFormed(table, names, values, at);
    if (table === 'accounts') {
      this.checkAccount(value);
      return;
    }
    const account = this.uuid;
    if (account === undefined) {
      this.fail(table, 'it comes before the accounts row (Conversations writes the account first)');
    }
    const column = ACCOUNT_COLUMN[table];
    if (column !== undefined && String(value(column)) !== account) {
      this.fail(
        table,
        `it belongs to another account (${column} ${text(value(column))}, the backup's account is ${text(account)})`,
      );
    }
    if (table === 'conversations') {
      if (!this.ledger.addConversation(String(value('uuid'))))
        this.fail(table, `conversation ${text(value('uuid'))} appears twice`);
    } else if (table === 'messages') {
      const conversation = String(value('conversationUuid'));
      if (!this.ledger.hasConversation(conversation)) {
        this.fail(
          table,
          `its conversation ${text(conversation)} is not one of the backup's account`,
        );
      }
      if (!this.ledger.addMessage(String(value('uuid')), this.rowNumber))
        this.fail(table, `message ${text(value('uuid'))} appears twice`);
    }
  }

  /** The body is complete: it must have held the account. Returns the account's uuid. */
  finish(): string {
    this.failOnRepeat(Infinity);
    this.dispose();
    if (this.uuid === undefined) {
      throw new MalformedContentError('the end of the body', 'the backup holds no accounts row');
    }
    return this.uuid;
  }

  private checkAccount(value: (column: string) => CebValue | undefined): void {
    if (this.uuid !== undefined) {
      this.fail('accounts', 'a second accounts row (Conversations writes one account per file)');
    }
    if (this.rowNumber !== 1) this.fail('accounts', 'the accounts row must come first');
    const raw = value('uuid');
    const uuid = raw === null || raw === undefined ? '' : String(raw);
    if (uuid === '') this.fail('accounts', 'it has no uuid');
    const jid = `${String(value('username'))}@${String(value('server'))}`;
    if (jid.toLowerCase() !== this.header.jid.toLowerCase()) {
      this.fail(
        'accounts',
        `it is for ${text(jid)} but the header says ${text(this.header.jid)} (jid in table does not match the backup)`,
      );
    }
    this.uuid = uuid;
  }

  private checkColumns(table: BackupTable, names: readonly string[]): void {
    const last = this.lastColumns.get(table);
    if (last !== undefined && sameNames(last, names)) return;
    const problem = columnsProblem(names);
    if (problem !== undefined) this.fail(table, problem);
    this.lastColumns.set(table, names);
  }

  private checkNoNul(
    table: BackupTable,
    names: readonly string[],
    values: readonly CebValue[],
    at: number,
  ): void {
    const problem = nulProblem(names, values, at);
    if (problem !== undefined) this.fail(table, problem);
  }

  private checkWellFormed(
    table: BackupTable,
    names: readonly string[],
    values: readonly CebValue[],
    at: number,
  ): void {
    const problem = surrogateProblem(names, values, at);
    if (problem !== undefined) this.fail(table, problem);
  }

  /** Frees what the ledger holds; the check is over. */
  dispose(): void {
    this.ledger.dispose?.();
  }

  private fail(table: BackupTable, detail: string): never {
    // A repeat the ledger finds only now, if it came first, is the first error.
    this.failOnRepeat(this.rowNumber);
    this.dispose();
    throw new MalformedContentError(`row ${this.rowNumber} (table ${table})`, detail);
  }

  private failOnRepeat(before: number): void {
    const repeat = this.ledger.earliestRepeat?.(before);
    if (repeat === undefined) return;
    this.dispose();
    throw new MalformedContentError(
      `row ${repeat.row} (table messages)`,
      `message ${text(repeat.text)} appears twice`,
    );
  }
}

/** `String.prototype.isWellFormed` (Node 20), not yet in the ES2022 library types. */
interface WellFormed {
  isWellFormed(): boolean;
}

function columnsProblem(names: readonly string[]): string | undefined {
  const lower = new Set<string>();
  for (const name of names) {
    const key = name.toLowerCase();
    if (lower.has(key)) return `two columns differ only in case (${name}); SQLite would merge them`;
    lower.add(key);
  }
  return undefined;
}

function nulProblem(
  names: readonly string[],
  values: readonly CebValue[],
  at: number,
): string | undefined {
  for (let i = 0; i < names.length; i++) {
    const value = values[at + i];
    if (typeof value === 'string' && value.includes('\u0000')) {
      return `column ${names[i]} holds a NUL character (Conversations removes them)`;
    }
  }
  return undefined;
}

/** A JSON `\ud800` escape alone is no character: SQLite would store invalid UTF-8. */
function surrogateProblem(
  names: readonly string[],
  values: readonly CebValue[],
  at: number,
): string | undefined {
  for (let i = 0; i < names.length; i++) {
    const value = values[at + i];
    if (typeof value === 'string' && !(value as unknown as WellFormed).isWellFormed()) {
      return `column ${names[i]} holds half of a surrogate pair (a \\u escape of no character)`;
    }
  }
  return undefined;
}

/**
 * The columns {@link BackupContentCheck} reads to compare a row with others (the account, the
 * conversations, uuids seen before); everything else it checks row by row.
 */
export const CROSS_ROW_COLUMNS: Readonly<Record<BackupTable, readonly string[]>> = {
  accounts: ['uuid', 'username', 'server'],
  conversations: ['uuid', 'accountUuid'],
  messages: ['uuid', 'conversationUuid'],
  prekeys: ['account'],
  signed_prekeys: ['account'],
  sessions: ['account'],
  identities: ['account'],
};

/**
 * Whether every row passes the checks of {@link BackupContentCheck} that need nothing but the row
 * itself (column names, NUL characters, lone surrogates), as the format `version` asks. A parser
 * thread runs them, so that only the {@link CROSS_ROW_COLUMNS} need to travel on to the check.
 */
export function rowsPassOwnChecks(version: 1 | 2, rows: readonly BackupRow[]): boolean {
  const checked = new Map<BackupTable, readonly string[]>();
  for (const row of rows) {
    const names = Object.keys(row.values);
    const last = checked.get(row.table);
    if (last === undefined || !sameNames(last, names)) {
      if (columnsProblem(names) !== undefined) return false;
      checked.set(row.table, names);
    }
    for (const name of names) {
      const value = row.values[name];
      if (typeof value !== 'string') continue;
      if (
        version === 1 ? value.includes('\u0000') : !(value as unknown as WellFormed).isWellFormed()
      )
        return false;
    }
  }
  return true;
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
