import type Database from 'better-sqlite3';
import { randomInt, randomUUID } from 'node:crypto';
import { OPTION_DISABLED } from './codes.js';
import { AccountExistsError, AccountNotFoundError, InvalidJidError } from './errors.js';

export { OPTION_DISABLED } from './codes.js';

/** An `accounts` row as ferry reads it (Conversations' columns; more may exist). */
export interface AccountRow {
  uuid: string;
  username: string;
  server: string;
  password: string | null;
  display_name: string | null;
  status: string | null;
  status_message: string | null;
  rosterversion: string | null;
  options: number | null;
  avatar: string | null;
  keys: string | null;
  hostname: string | null;
  resource: string | null;
  port: number | null;
  /** Conversations' pinned SASL mechanism (absent in rows from older profiles). */
  pinned_mechanism?: string | null;
}

export interface NewAccount {
  jid: string;
  password: string;
  hostname?: string;
  port?: number;
  resource?: string;
  /**
   * The explicit opt-in for a plaintext test server on loopback (see account-settings.ts): without
   * it ferry never logs in without TLS. Only for tests' Prosody; stored in the `keys` JSON.
   */
  allowPlaintextLoopback?: boolean;
}

/** The bare JID of an account row: `username@server`. */
export function accountJid(row: Pick<AccountRow, 'username' | 'server'>): string {
  return `${row.username}@${row.server}`;
}

/** Whether the account connects: Conversations' options bit 1 clear. */
export function isAccountEnabled(row: Pick<AccountRow, 'options'>): boolean {
  return ((row.options ?? 0) & OPTION_DISABLED) === 0;
}

/** Whether the account has a password to encrypt its backup with (Conversations skips those without). */
export function hasStoredPassword(row: Pick<AccountRow, 'password'>): boolean {
  return row.password !== null && row.password !== '';
}

/** Splits and checks a bare JID (`name@server`); throws {@link InvalidJidError}. */
export function parseBareJid(jid: string): { username: string; server: string } {
  const m = /^([^@/\s"&'<>:]+)@([^@/\s]+)$/u.exec(jid.trim());
  if (!m || m[1] === undefined || m[2] === undefined) throw new InvalidJidError(jid);
  return { username: m[1], server: m[2] };
}

/** Two bare JIDs name the same account when they match ignoring case (nodeprep/nameprep fold case). */
export function sameJid(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

export function listAccounts(db: Database.Database): AccountRow[] {
  return db.prepare('SELECT * FROM accounts ORDER BY username, server').all() as AccountRow[];
}

export function findAccountByJid(db: Database.Database, bareJid: string): AccountRow | undefined {
  const { username, server } = parseBareJid(bareJid);
  return db
    .prepare('SELECT * FROM accounts WHERE lower(username) = lower(?) AND lower(server) = lower(?)')
    .get(username, server) as AccountRow | undefined;
}

const RESOURCE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A resource in Conversations' style (`Conversations.CQZ2`): the app name and four random characters. */
export function randomResource(app = 'ferry'): string {
  let tail = '';
  for (let i = 0; i < 4; i++) tail += RESOURCE_ALPHABET[randomInt(RESOURCE_ALPHABET.length)];
  return `${app}.${tail}`;
}

/** Adds an enabled account; throws {@link AccountExistsError} if the address is already set up. */
export function addAccount(db: Database.Database, account: NewAccount): AccountRow {
  const { username, server } = parseBareJid(account.jid);
  const jid = `${username}@${server}`;
  return db
    .transaction(() => {
      if (findAccountByJid(db, jid)) throw new AccountExistsError(jid);
      const uuid = randomUUID();
      db.prepare(
        `INSERT INTO accounts (uuid, username, server, password, options, keys, hostname, port, resource)
       VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?)`,
      ).run(
        uuid,
        username,
        server,
        account.password,
        account.allowPlaintextLoopback ? '{"ferry_allow_plaintext_loopback":"true"}' : '{}',
        account.hostname ?? null,
        account.port ?? 5222,
        account.resource ?? randomResource(),
      );
      return db.prepare('SELECT * FROM accounts WHERE uuid = ?').get(uuid) as AccountRow;
    })
    .immediate();
}

/** Sets or clears the disabled bit; returns the updated row. */
export function setAccountEnabled(
  db: Database.Database,
  bareJid: string,
  enabled: boolean,
): AccountRow {
  const row = findAccountByJid(db, bareJid);
  if (!row) throw new AccountNotFoundError(bareJid);
  db.prepare(
    enabled
      ? 'UPDATE accounts SET options = COALESCE(options, 0) & ~? WHERE uuid = ?'
      : 'UPDATE accounts SET options = COALESCE(options, 0) | ? WHERE uuid = ?',
  ).run(OPTION_DISABLED, row.uuid);
  return db.prepare('SELECT * FROM accounts WHERE uuid = ?').get(row.uuid) as AccountRow;
}

/** The account with this uuid, as stored now; undefined when there is none. */
export function findAccountByUuid(db: Database.Database, uuid: string): AccountRow | undefined {
  return db.prepare('SELECT * FROM accounts WHERE uuid = ?').get(uuid) as AccountRow | undefined;
}

/** Sets the disabled bit of the account with this uuid (a restored account stays off). */
export function disableAccount(db: Database.Database, uuid: string): void {
  db.prepare('UPDATE accounts SET options = COALESCE(options, 0) | ? WHERE uuid = ?').run(
    OPTION_DISABLED,
    uuid,
  );
}

/** How many conversations and messages an account has. */
export function countAccountContent(
  db: Database.Database,
  uuid: string,
): { conversations: number; messages: number } {
  return db
    .prepare(
      `SELECT (SELECT count(*) FROM conversations WHERE accountUuid = @uuid) AS conversations,
              (SELECT count(*) FROM messages JOIN conversations c ON c.uuid = messages.conversationUuid
                WHERE c.accountUuid = @uuid) AS messages`,
    )
    .get({ uuid }) as { conversations: number; messages: number };
}
