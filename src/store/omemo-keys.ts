import type Database from 'better-sqlite3';

/**
 * OMEMO key material in Conversations' own tables (`identities`, `prekeys`, `signed_prekeys`,
 * `sessions`, and the account's `keys` JSON). The `key` columns hold base64 exactly as Android's
 * `Base64.DEFAULT` writes it: standard alphabet, padded, a line feed after every 76 characters and
 * one at the end. This module only moves bytes; the protobuf records are `src/omemo/records.ts`.
 */

/** Base64 as Android's `Base64.DEFAULT` encodes it (76-character lines, each ending in '\n'). */
export function encodeAndroidBase64(bytes: Uint8Array): string {
  const plain = Buffer.from(bytes).toString('base64');
  if (plain.length === 0) return '';
  let out = '';
  for (let i = 0; i < plain.length; i += 76) out += plain.slice(i, i + 76) + '\n';
  return out;
}

/** Reads base64 ignoring line breaks and other whitespace, as Android's decoder does. */
export function decodeAndroidBase64(text: string): Buffer {
  const compact = text.replace(/[\s]/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) throw new Error('key column is not base64');
  return Buffer.from(compact, 'base64');
}

/** The name Conversations stores a trust decision under (`FingerprintStatus.Trust`). */
export type TrustLevel =
  'UNTRUSTED' | 'TRUSTED' | 'VERIFIED' | 'COMPROMISED' | 'UNDECIDED' | 'VERIFIED_X509';

export interface IdentityRow {
  name: string;
  ownkey: boolean;
  fingerprint: string;
  trust: string;
  active: boolean;
  lastActivation: number | null;
  key: Buffer;
}

/** The account's `keys` column: a JSON object whose values are strings. */
export function readAccountKeys(
  db: Database.Database,
  accountUuid: string,
): Record<string, string> {
  const row = db.prepare('SELECT keys FROM accounts WHERE uuid = ?').get(accountUuid) as
    { keys: string | null } | undefined;
  if (!row) throw new Error(`no account with uuid ${accountUuid}`);
  if (!row.keys) return {};
  try {
    const parsed: unknown = JSON.parse(row.keys);
    if (parsed === null || typeof parsed !== 'object') return {};
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
      if (v !== null && v !== undefined) out[k] = String(v);
    }
    return out;
  } catch {
    return {};
  }
}

export function writeAccountKey(
  db: Database.Database,
  accountUuid: string,
  name: string,
  value: string,
): void {
  const keys = readAccountKeys(db, accountUuid);
  keys[name] = value;
  db.prepare('UPDATE accounts SET keys = ? WHERE uuid = ?').run(JSON.stringify(keys), accountUuid);
}

export function readPreKey(db: Database.Database, account: string, id: number): Buffer | undefined {
  const row = db
    .prepare('SELECT key FROM prekeys WHERE account = ? AND id = ?')
    .get(account, id) as { key: string } | undefined;
  return row ? decodeAndroidBase64(row.key) : undefined;
}

export function listPreKeyIds(db: Database.Database, account: string): number[] {
  const rows = db.prepare('SELECT id FROM prekeys WHERE account = ? ORDER BY id').all(account) as {
    id: number;
  }[];
  return rows.map((r) => Number(r.id));
}

export function writePreKey(
  db: Database.Database,
  account: string,
  id: number,
  record: Uint8Array,
) {
  db.prepare('INSERT INTO prekeys (account, id, key) VALUES (?, ?, ?)').run(
    account,
    id,
    encodeAndroidBase64(record),
  );
}

export function deletePreKey(db: Database.Database, account: string, id: number): void {
  db.prepare('DELETE FROM prekeys WHERE account = ? AND id = ?').run(account, id);
}

export function readSignedPreKey(
  db: Database.Database,
  account: string,
  id: number,
): Buffer | undefined {
  const row = db
    .prepare('SELECT key FROM signed_prekeys WHERE account = ? AND id = ?')
    .get(account, id) as { key: string } | undefined;
  return row ? decodeAndroidBase64(row.key) : undefined;
}

export function listSignedPreKeys(
  db: Database.Database,
  account: string,
): { id: number; record: Buffer }[] {
  const rows = db
    .prepare('SELECT id, key FROM signed_prekeys WHERE account = ? ORDER BY id')
    .all(account) as { id: number; key: string }[];
  return rows.map((r) => ({ id: Number(r.id), record: decodeAndroidBase64(r.key) }));
}

export function writeSignedPreKey(
  db: Database.Database,
  account: string,
  id: number,
  record: Uint8Array,
): void {
  db.prepare('INSERT INTO signed_prekeys (account, id, key) VALUES (?, ?, ?)').run(
    account,
    id,
    encodeAndroidBase64(record),
  );
}

export function readSession(
  db: Database.Database,
  account: string,
  name: string,
  deviceId: number,
): Buffer | undefined {
  const row = db
    .prepare('SELECT key FROM sessions WHERE account = ? AND name = ? AND device_id = ?')
    .get(account, name, deviceId) as { key: string } | undefined;
  return row ? decodeAndroidBase64(row.key) : undefined;
}

/** Raw key column text, for tests that check the stored form byte for byte. */
export function readSessionColumn(
  db: Database.Database,
  account: string,
  name: string,
  deviceId: number,
): string | undefined {
  const row = db
    .prepare('SELECT key FROM sessions WHERE account = ? AND name = ? AND device_id = ?')
    .get(account, name, deviceId) as { key: string } | undefined;
  return row?.key;
}

export function listSessionDevices(db: Database.Database, account: string, name: string): number[] {
  const rows = db
    .prepare('SELECT device_id FROM sessions WHERE account = ? AND name = ? ORDER BY device_id')
    .all(account, name) as { device_id: number }[];
  return rows.map((r) => Number(r.device_id));
}

export function writeSession(
  db: Database.Database,
  account: string,
  name: string,
  deviceId: number,
  record: Uint8Array,
): void {
  db.prepare('INSERT INTO sessions (account, name, device_id, key) VALUES (?, ?, ?, ?)').run(
    account,
    name,
    deviceId,
    encodeAndroidBase64(record),
  );
}

export function deleteSession(
  db: Database.Database,
  account: string,
  name: string,
  deviceId: number,
): void {
  db.prepare('DELETE FROM sessions WHERE account = ? AND name = ? AND device_id = ?').run(
    account,
    name,
    deviceId,
  );
}

interface IdentityDbRow {
  name: string;
  ownkey: number;
  fingerprint: string;
  trust: string | null;
  active: number | null;
  last_activation: number | null;
  key: string;
}

function toIdentity(r: IdentityDbRow): IdentityRow {
  return {
    name: r.name,
    ownkey: Number(r.ownkey) === 1,
    fingerprint: r.fingerprint,
    trust: r.trust ?? 'UNDECIDED',
    active: r.active === null ? true : Number(r.active) === 1,
    lastActivation: r.last_activation === null ? null : Number(r.last_activation),
    key: decodeAndroidBase64(r.key),
  };
}

/** The account's own identity key pair record (row with `ownkey = 1`). */
export function readOwnIdentity(db: Database.Database, account: string): IdentityRow | undefined {
  const row = db
    .prepare('SELECT * FROM identities WHERE account = ? AND ownkey = 1 LIMIT 1')
    .get(account) as IdentityDbRow | undefined;
  return row ? toIdentity(row) : undefined;
}

export function listIdentities(
  db: Database.Database,
  account: string,
  name?: string,
): IdentityRow[] {
  const rows = (
    name === undefined
      ? db
          .prepare('SELECT * FROM identities WHERE account = ? ORDER BY name, fingerprint')
          .all(account)
      : db
          .prepare('SELECT * FROM identities WHERE account = ? AND name = ? ORDER BY fingerprint')
          .all(account, name)
  ) as IdentityDbRow[];
  return rows.map(toIdentity);
}

export function findIdentity(
  db: Database.Database,
  account: string,
  name: string,
  fingerprint: string,
): IdentityRow | undefined {
  const row = db
    .prepare('SELECT * FROM identities WHERE account = ? AND name = ? AND fingerprint = ?')
    .get(account, name, fingerprint) as IdentityDbRow | undefined;
  return row ? toIdentity(row) : undefined;
}

/** Inserts an identity (ignored when the same account/name/fingerprint exists, as Conversations). */
export function insertIdentity(
  db: Database.Database,
  account: string,
  identity: Omit<IdentityRow, 'key'> & { key: Uint8Array },
): void {
  db.prepare(
    `INSERT INTO identities (account, name, ownkey, fingerprint, certificate, trust, active,
       last_activation, key) VALUES (?, ?, ?, ?, NULL, ?, ?, ?, ?)`,
  ).run(
    account,
    identity.name,
    identity.ownkey ? 1 : 0,
    identity.fingerprint,
    identity.trust,
    identity.active ? 1 : 0,
    identity.lastActivation,
    encodeAndroidBase64(identity.key),
  );
}

export function setIdentityTrust(
  db: Database.Database,
  account: string,
  fingerprint: string,
  trust: TrustLevel,
): number {
  return db
    .prepare('UPDATE identities SET trust = ? WHERE account = ? AND fingerprint = ? AND ownkey = 0')
    .run(trust, account, fingerprint).changes;
}

export function setIdentityActive(
  db: Database.Database,
  account: string,
  name: string,
  fingerprint: string,
  active: boolean,
  lastActivation: number | null,
): void {
  db.prepare(
    `UPDATE identities SET active = ?, last_activation = COALESCE(?, last_activation)
     WHERE account = ? AND name = ? AND fingerprint = ?`,
  ).run(active ? 1 : 0, lastActivation, account, name, fingerprint);
}

/** The devices the account has a session with (of one contact, or all), ordered by JID and id. */
export function listSessionAddresses(
  db: Database.Database,
  account: string,
  contact?: string,
): { name: string; deviceId: number }[] {
  const rows = db
    .prepare(
      `SELECT name, device_id FROM sessions WHERE account = ? ${contact ? 'AND name = ?' : ''}
       ORDER BY name, device_id`,
    )
    .all(...(contact ? [account, contact] : [account])) as { name: string; device_id: number }[];
  return rows.map((r) => ({ name: r.name, deviceId: Number(r.device_id) }));
}
