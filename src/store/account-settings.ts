/**
 * An account's connection settings, where Conversations keeps them when it has a place for them:
 * `hostname`/`port` columns (the server to connect to instead of DNS), `pinned_mechanism` (the
 * strongest SASL mechanism that worked, so a weaker one is refused later). ferry's own additions
 * live in the account's `keys` JSON (whose values are strings; Conversations ignores keys it
 * doesn't know, and they travel in backups like the rest of the row):
 *
 * - `ferry_pinned_certificates`: SHA-256 fingerprints (`AB:CD:…`, comma-separated) of server
 *   certificates the user trusted on purpose (`ferry account trust-cert`).
 * - `ferry_allow_plaintext_loopback`: `"true"` lets the account log in without TLS, and only to a
 *   server on the loopback interface (a test server). Nothing else turns encryption off.
 */
import type Database from 'better-sqlite3';
import { findAccountByJid, type AccountRow } from './accounts.js';
import { AccountNotFoundError } from './errors.js';
import { readAccountKeys } from './omemo-keys.js';

export const KEY_PINNED_CERTIFICATES = 'ferry_pinned_certificates';
export const KEY_ALLOW_PLAINTEXT_LOOPBACK = 'ferry_allow_plaintext_loopback';

export interface ConnectionSettings {
  /** The host to connect to instead of looking the domain up; null = DNS SRV, then the domain. */
  hostname: string | null;
  /** The port with `hostname` (5222 when unset). */
  port: number;
  /** The explicit opt-in for a plaintext test server on loopback. */
  allowPlaintextLoopback: boolean;
  /** Trusted certificate fingerprints (SHA-256, upper-case hex with colons). */
  pinnedCertificates: string[];
  /** Conversations' `pinned_mechanism`: the SASL mechanism used last, or null. */
  pinnedMechanism: string | null;
}

function parseKeys(keys: string | null): Record<string, unknown> {
  if (!keys) return {};
  try {
    const parsed: unknown = JSON.parse(keys);
    return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Normalises a fingerprint typed by a user (any case, with or without colons); undefined if not SHA-256. */
export function normaliseFingerprint(input: string): string | undefined {
  const hex = input.replace(/[\s:]/g, '').toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) return undefined;
  return hex.match(/../g)!.join(':');
}

export function connectionSettings(
  row: Pick<AccountRow, 'hostname' | 'port' | 'keys'> & { pinned_mechanism?: string | null },
): ConnectionSettings {
  const keys = parseKeys(row.keys);
  const pins = String(keys[KEY_PINNED_CERTIFICATES] ?? '')
    .split(',')
    .map((s) => normaliseFingerprint(s))
    .filter((s): s is string => s !== undefined);
  return {
    hostname: row.hostname !== null && row.hostname.trim() !== '' ? row.hostname.trim() : null,
    port: row.port !== null && Number.isInteger(Number(row.port)) ? Number(row.port) : 5222,
    allowPlaintextLoopback: String(keys[KEY_ALLOW_PLAINTEXT_LOOPBACK] ?? '') === 'true',
    pinnedCertificates: pins,
    pinnedMechanism: row.pinned_mechanism ?? null,
  };
}

function requireAccount(db: Database.Database, jid: string): AccountRow {
  const row = findAccountByJid(db, jid);
  if (!row) throw new AccountNotFoundError(jid);
  return row;
}

function setKey(
  db: Database.Database,
  uuid: string,
  name: string,
  value: string | undefined,
): void {
  const keys = readAccountKeys(db, uuid);
  if (value === undefined) delete keys[name];
  else keys[name] = value;
  db.prepare('UPDATE accounts SET keys = ? WHERE uuid = ?').run(JSON.stringify(keys), uuid);
}

function reread(db: Database.Database, uuid: string): AccountRow {
  return db.prepare('SELECT * FROM accounts WHERE uuid = ?').get(uuid) as AccountRow;
}

export interface ServerSettingsChange {
  /** A host name, or null to clear it (DNS SRV, then the domain). */
  hostname?: string | null;
  /** A port, or null for the default 5222. */
  port?: number | null;
  allowPlaintextLoopback?: boolean;
}

/** Points an account at its server (or clears that); returns the updated row. */
export function setServerSettings(
  db: Database.Database,
  jid: string,
  change: ServerSettingsChange,
): AccountRow {
  return db
    .transaction(() => {
      const row = requireAccount(db, jid);
      if (change.hostname !== undefined) {
        const host = change.hostname === null ? null : change.hostname.trim();
        db.prepare('UPDATE accounts SET hostname = ? WHERE uuid = ?').run(
          host === '' ? null : host,
          row.uuid,
        );
      }
      if (change.port !== undefined) {
        db.prepare('UPDATE accounts SET port = ? WHERE uuid = ?').run(
          change.port ?? 5222,
          row.uuid,
        );
      }
      if (change.allowPlaintextLoopback !== undefined) {
        setKey(
          db,
          row.uuid,
          KEY_ALLOW_PLAINTEXT_LOOPBACK,
          change.allowPlaintextLoopback ? 'true' : undefined,
        );
      }
      return reread(db, row.uuid);
    })
    .immediate();
}

/** Trusts one server certificate for this account (adds its fingerprint); returns the fingerprints. */
export function pinCertificate(db: Database.Database, jid: string, fingerprint: string): string[] {
  return db
    .transaction(() => {
      const row = requireAccount(db, jid);
      const pins = connectionSettings(row).pinnedCertificates;
      if (!pins.includes(fingerprint)) pins.push(fingerprint);
      setKey(db, row.uuid, KEY_PINNED_CERTIFICATES, pins.join(','));
      return pins;
    })
    .immediate();
}

/** Remembers the SASL mechanism that logged the account in (Conversations' `pinned_mechanism`). */
export function savePinnedMechanism(
  db: Database.Database,
  accountUuid: string,
  mechanism: string,
): void {
  db.prepare('UPDATE accounts SET pinned_mechanism = ? WHERE uuid = ?').run(mechanism, accountUuid);
}

/** Forgets the pinned SASL mechanism, so that the next login may use any mechanism TLS allows. */
export function forgetPinnedMechanism(db: Database.Database, accountUuid: string): void {
  db.prepare('UPDATE accounts SET pinned_mechanism = NULL WHERE uuid = ?').run(accountUuid);
}
