import Database from '../../store/sqlite.js';
import { randomUUID } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { DbRow, DbValue } from '../../store/backup-rows.js';
import { encodeAndroidBase64 } from '../../store/omemo-keys.js';
import {
  CONVERSATION_MODE,
  CONVERSATION_STATUS,
  MESSAGE_ENCRYPTION,
  MESSAGE_STATUS,
  MESSAGE_TYPE,
} from '../../store/codes.js';
import { ClientError } from '../errors.js';
import type { ClientAccount } from '../import-account.js';
import {
  RecordError,
  checkIdentityKey,
  encodeIdentityKeyPair,
  fingerprintOf,
  preKeyId,
  sessionRemoteIdentity,
  signedPreKeyId,
} from '../signal-records.js';
import { TransferSummary } from '../summary.js';
import { dinoDataDir, dinoDbPath, dinoFilesDir, omemoDbPath } from './layout.js';
import { DINO, DINO_DB_VERSION, OMEMO_DB_VERSION } from './schema.js';
import { conversationsTrust } from './trust.js';

function damaged(file: string, problem: string): ClientError {
  return new ClientError(
    'damaged-home',
    `${file} ${problem}`,
    'This Dino home is damaged or incomplete; nothing was imported. Copy it again from the other computer (with Dino stopped), or start Dino once on it so it repairs and upgrades its databases.',
  );
}

/** The columns the reader uses, per table: a database without them is not one Dino 0.4+ wrote. */
const DINO_COLUMNS: Record<string, string[]> = {
  account: ['id', 'bare_jid', 'resourcepart', 'password', 'alias', 'enabled'],
  jid: ['id', 'bare_jid'],
  conversation: ['id', 'account_id', 'jid_id', 'resource', 'active', 'type', 'encryption'],
  content_item: ['id', 'conversation_id', 'time', 'content_type', 'foreign_id', 'hide'],
  message: [
    'id',
    'stanza_id',
    'server_id',
    'account_id',
    'counterpart_id',
    'counterpart_resource',
    'direction',
    'type',
    'time',
    'body',
    'encryption',
    'marked',
  ],
  file_transfer: [
    'id',
    'direction',
    'time',
    'encryption',
    'file_name',
    'path',
    'mime_type',
    'size',
    'info',
  ],
  real_jid: ['message_id', 'real_jid'],
  roster: ['account_id', 'jid', 'name'],
};
const OMEMO_COLUMNS: Record<string, string[]> = {
  identity: [
    'id',
    'account_id',
    'device_id',
    'identity_key_private_base64',
    'identity_key_public_base64',
  ],
  pre_key: ['identity_id', 'pre_key_id', 'record_base64'],
  signed_pre_key: ['identity_id', 'signed_pre_key_id', 'record_base64'],
  session: ['identity_id', 'name', 'device_id', 'record_base64'],
  identity_meta: [
    'identity_id',
    'address_name',
    'device_id',
    'identity_key_public_base64',
    'trust_level',
    'now_active',
    'last_active',
  ],
  content_item_meta: ['message_id', 'identity_id', 'address_name', 'device_id'],
};

function openChecked(
  file: string,
  columns: Record<string, string[]>,
  minVersion: number,
): Database.Database {
  if (!existsSync(file) || !statSync(file).isFile()) throw damaged(file, 'is missing');
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (err) {
    throw damaged(file, `is not a database SQLite can read (${(err as Error).message})`);
  }
  try {
    const version = db.prepare("SELECT int_val FROM _meta WHERE name = 'version'").pluck().get();
    if (typeof version !== 'number' && typeof version !== 'bigint')
      throw damaged(file, 'has no schema version');
    if (Number(version) < minVersion)
      throw damaged(
        file,
        `is from an older Dino (schema ${version}, ferry reads ${minVersion} and later)`,
      );
    for (const [table, cols] of Object.entries(columns)) {
      const have = new Set(
        (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name),
      );
      const missing = cols.filter((c) => !have.has(c));
      if (missing.length > 0)
        throw damaged(file, `has no table ${table} with ${missing.join(', ')}`);
    }
    return db;
  } catch (err) {
    db.close();
    if (err instanceof ClientError) throw err;
    throw damaged(file, `cannot be read (${(err as Error).message})`);
  }
}

function base64(file: string, text: unknown, what: string): Buffer {
  if (typeof text !== 'string' || !/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(text) || text.trim() === '')
    throw damaged(file, `holds an invalid ${what}`);
  return Buffer.from(text.replace(/\s/g, ''), 'base64');
}

interface DinoAccountRow {
  id: number;
  bare_jid: string;
  resourcepart: string | null;
  password: string | null;
  alias: string | null;
  enabled: number | null;
}

interface OwnOmemo {
  deviceId: number;
  publicKey: Buffer;
  privateKey: Buffer;
  preKeys: { id: number; record: Buffer }[];
  signedPreKeys: { id: number; record: Buffer }[];
  sessions: { name: string; deviceId: number; record: Buffer }[];
  /** Contacts' (and own other) devices with a known key. */
  devices: {
    name: string;
    deviceId: number;
    key: Buffer;
    trust: number;
    active: boolean;
    lastActive: number | null;
  }[];
}

function readOmemo(
  file: string,
  db: Database.Database,
  accountId: number,
  accountJid: string,
  summary: TransferSummary,
): OwnOmemo | undefined {
  const identity = db.prepare('SELECT * FROM identity WHERE account_id = ?').get(accountId) as
    Record<string, unknown> | undefined;
  if (!identity) return undefined;
  const identityId = Number(identity.id);
  const deviceId = Number(identity.device_id);
  if (!Number.isSafeInteger(deviceId) || deviceId <= 0 || deviceId > 0x7fffffff)
    throw damaged(file, `holds an invalid device id (${String(identity.device_id)})`);
  const publicKey = base64(file, identity.identity_key_public_base64, 'identity public key');
  const privateKey = base64(file, identity.identity_key_private_base64, 'identity private key');
  try {
    checkIdentityKey(publicKey, 'the identity key');
  } catch {
    throw damaged(file, 'holds an identity public key that is not 33 bytes starting with 05');
  }
  if (privateKey.length !== 32)
    throw damaged(file, 'holds an identity private key that is not 32 bytes');
  const records = (sql: string) => db.prepare(sql).all(identityId) as Record<string, unknown>[];
  const check = (what: string, fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      if (err instanceof RecordError) throw damaged(file, `holds a broken ${what}: ${err.message}`);
      throw err;
    }
  };
  const preKeys = records(
    'SELECT pre_key_id AS id, record_base64 AS r FROM pre_key WHERE identity_id = ? ORDER BY pre_key_id',
  ).map((row) => {
    const record = base64(file, row.r, 'prekey');
    check(`prekey ${String(row.id)}`, () => preKeyId(record));
    return { id: Number(row.id), record };
  });
  const signedPreKeys = records(
    'SELECT signed_pre_key_id AS id, record_base64 AS r FROM signed_pre_key WHERE identity_id = ? ORDER BY signed_pre_key_id',
  ).map((row) => {
    const record = base64(file, row.r, 'signed prekey');
    check(`signed prekey ${String(row.id)}`, () => signedPreKeyId(record));
    return { id: Number(row.id), record };
  });
  const sessions: OwnOmemo['sessions'] = [];
  for (const row of records(
    'SELECT name, device_id, record_base64 AS r FROM session WHERE identity_id = ? ORDER BY name, device_id',
  )) {
    const record = base64(file, row.r, 'session');
    try {
      sessionRemoteIdentity(record);
    } catch (err) {
      if (!(err instanceof RecordError)) throw err;
      summary.leave('OMEMO sessions', 'without a usable state in Dino');
      continue;
    }
    // Dino keeps a session with its own device (it encrypts to its own device list too); in
    // Conversations a device never has one with itself.
    if (String(row.name).toLowerCase() === accountJid && Number(row.device_id) === deviceId)
      continue;
    sessions.push({
      name: String(row.name).toLowerCase(),
      deviceId: Number(row.device_id),
      record,
    });
  }
  const devices: OwnOmemo['devices'] = [];
  for (const row of records(
    'SELECT * FROM identity_meta WHERE identity_id = ? AND identity_key_public_base64 IS NOT NULL ORDER BY address_name, device_id',
  )) {
    const key = base64(file, row.identity_key_public_base64, 'contact identity key');
    if (key.length !== 33 || key[0] !== 0x05)
      throw damaged(file, 'holds a contact identity key that is not 33 bytes');
    devices.push({
      name: String(row.address_name).toLowerCase(),
      deviceId: Number(row.device_id),
      key,
      trust: Number(row.trust_level ?? DINO.trust.unknown),
      active: Number(row.now_active ?? 1) === 1,
      lastActive: row.last_active === null ? null : Number(row.last_active),
    });
  }
  return { deviceId, publicKey, privateKey, preKeys, signedPreKeys, sessions, devices };
}

/**
 * Reads a Dino home (`HOME` of a Dino 0.4 or later: `.local/share/dino/dino.db` and `omemo.db`)
 * as rows of Conversations' tables for one account: the account (JID, resource, password), its
 * one-to-one and group conversations, the history (stanza and archive ids, directions, marks,
 * OMEMO flags and the sender device's fingerprint), files as file messages pointing at Dino's
 * copy, and the OMEMO identity with its prekeys, signed prekeys, sessions and trust. Everything is
 * checked before a row is given out; the rows are read lazily (flat memory), in backup order.
 */
export function readDinoHome(home: string, opts: { jid?: string } = {}): ClientAccount {
  if (!existsSync(dinoDataDir(home)))
    throw new ClientError(
      'damaged-home',
      `${home} is not a Dino home (it has no .local/share/dino)`,
      'Give the folder Dino runs with as HOME (the one holding .local/share/dino).',
    );
  const dinoFile = dinoDbPath(home);
  const db = openChecked(dinoFile, DINO_COLUMNS, DINO_DB_VERSION);
  let omemoDb: Database.Database | undefined;
  try {
    const accounts = db.prepare('SELECT * FROM account ORDER BY id').all() as DinoAccountRow[];
    const wanted = opts.jid?.toLowerCase();
    const picked = wanted ? accounts.filter((a) => a.bare_jid.toLowerCase() === wanted) : accounts;
    if (picked.length !== 1) {
      throw new ClientError(
        'unusable-account',
        accounts.length === 0
          ? `the Dino home ${home} has no account`
          : wanted
            ? `the Dino home ${home} has no account ${opts.jid}`
            : `the Dino home ${home} has ${accounts.length} accounts`,
        accounts.length === 0
          ? 'Add the account in Dino first, or give another folder.'
          : `Choose one with --account: ${accounts.map((a) => a.bare_jid).join(', ')}.`,
      );
    }
    const account = picked[0] as DinoAccountRow;
    const at = account.bare_jid.indexOf('@');
    if (at <= 0 || at === account.bare_jid.length - 1 || account.bare_jid.includes('/'))
      throw damaged(dinoFile, `holds an account with an invalid JID "${account.bare_jid}"`);
    const summary = new TransferSummary();
    let omemo: OwnOmemo | undefined;
    if (existsSync(omemoDbPath(home))) {
      omemoDb = openChecked(omemoDbPath(home), OMEMO_COLUMNS, OMEMO_DB_VERSION);
      omemo = readOmemo(
        omemoDbPath(home),
        omemoDb,
        account.id,
        account.bare_jid.toLowerCase(),
        summary,
      );
    }
    if (!omemo) summary.note('The account had no OMEMO keys in Dino: ferry makes new ones.');
    if (account.enabled === 1)
      summary.note(
        'The account is still enabled in Dino: switch it off there before enabling it here.',
      );
    const dbRef = db;
    const omemoRef = omemoDb;
    return {
      jid: account.bare_jid.toLowerCase(),
      summary,
      rows: rowsOf(home, dbRef, omemoRef, account, omemo, summary),
    };
  } catch (err) {
    db.close();
    omemoDb?.close();
    throw err;
  }
}

function* rowsOf(
  home: string,
  db: Database.Database,
  omemoDb: Database.Database | undefined,
  account: DinoAccountRow,
  omemo: OwnOmemo | undefined,
  summary: TransferSummary,
): Generator<DbRow> {
  try {
    const accountJid = account.bare_jid.toLowerCase();
    const [username, server] = [
      accountJid.slice(0, accountJid.indexOf('@')),
      accountJid.slice(accountJid.indexOf('@') + 1),
    ];
    const uuid = randomUUID();
    const keys: Record<string, string> = {};
    if (omemo) {
      keys.axolotl_reg_id = String(omemo.deviceId);
      keys.axolotl_cur_prekey_id = String(Math.max(0, ...omemo.preKeys.map((k) => k.id)));
    }
    yield {
      table: 'accounts',
      values: {
        uuid,
        username,
        server,
        password: account.password,
        display_name: account.alias,
        status: null,
        status_message: null,
        rosterversion: null,
        options: 0,
        avatar: null,
        keys: JSON.stringify(keys),
        hostname: null,
        resource: account.resourcepart,
        port: 5222,
      },
    };
    summary.carry('account (JID, resource, password)');
    if (!account.password)
      summary.note('No password was stored in Dino: give it with ferry account set.');

    const names = new Map(
      (
        db.prepare('SELECT jid, name FROM roster WHERE account_id = ?').all(account.id) as {
          jid: string;
          name: string | null;
        }[]
      ).map((r) => [r.jid.toLowerCase(), r.name]),
    );
    const conversations = db
      .prepare(
        `SELECT c.*, j.bare_jid AS bare,
           (SELECT min(time) FROM content_item WHERE conversation_id = c.id) AS first_time
         FROM conversation c JOIN jid j ON j.id = c.jid_id WHERE c.account_id = ? ORDER BY c.id`,
      )
      .all(account.id) as Record<string, unknown>[];
    const convUuid = new Map<number, { uuid: string; group: boolean; bare: string }>();
    for (const c of conversations) {
      const type = Number(c.type);
      if (type === DINO.conversationType.groupchatPm) {
        summary.leave(
          'private chats with group members',
          'Conversations keeps them inside the group chat',
        );
        continue;
      }
      if (Number(c.active) !== 1 && c.first_time === null) continue; // closed and empty
      const group = type === DINO.conversationType.groupchat;
      const bare = String(c.bare).toLowerCase();
      const nick = typeof c.resource === 'string' && c.resource !== '' ? c.resource : null;
      const id = randomUUID();
      convUuid.set(Number(c.id), { uuid: id, group, bare });
      const created =
        c.first_time !== null ? Number(c.first_time) : Number(c.active_last_changed ?? 0);
      yield {
        table: 'conversations',
        values: {
          uuid: id,
          name: group ? null : (names.get(bare) ?? null),
          contactUuid: null,
          accountUuid: uuid,
          contactJid: group && nick ? `${bare}/${nick}` : bare,
          created: created * 1000,
          status:
            Number(c.active) === 1 ? CONVERSATION_STATUS.available : CONVERSATION_STATUS.archived,
          mode: group ? CONVERSATION_MODE.group : CONVERSATION_MODE.single,
          // What the chat starts with: Dino's per-chat choice under the lock.
          attributes: JSON.stringify({
            next_encryption:
              Number(c.encryption) === DINO.encryption.omemo
                ? MESSAGE_ENCRYPTION.omemo
                : MESSAGE_ENCRYPTION.none,
          }),
        },
      };
      summary.carry('conversations');
    }

    const fingerprints = new Map<string, string>();
    if (omemo)
      for (const d of omemo.devices)
        fingerprints.set(`${d.name} ${d.deviceId}`, fingerprintOf(d.key));
    const senderDevice = omemoDb?.prepare(
      'SELECT address_name, device_id FROM content_item_meta WHERE message_id = ?',
    );
    const items = db.prepare(
      `SELECT ci.id AS item_id, ci.conversation_id, ci.content_type, ci.hide, ci.time AS item_time,
         m.*, r.real_jid,
         f.id AS file_id, f.direction AS f_direction, f.time AS f_time, f.encryption AS f_encryption,
         f.file_name, f.path, f.size, f.info, f.counterpart_resource AS f_resource,
         fm.body AS f_body, fm.stanza_id AS f_stanza_id, fm.server_id AS f_server_id, fm.marked AS f_marked
       FROM content_item ci
       LEFT JOIN message m ON ci.content_type = 1 AND m.id = ci.foreign_id
       LEFT JOIN real_jid r ON r.message_id = m.id
       LEFT JOIN file_transfer f ON ci.content_type = 2 AND f.id = ci.foreign_id
       LEFT JOIN message fm ON ci.content_type = 2 AND fm.id = CAST(f.info AS INTEGER)
       WHERE ci.conversation_id IN (SELECT id FROM conversation WHERE account_id = ?)
       ORDER BY ci.conversation_id, ci.time, ci.id`,
    );
    for (const it of items.iterate(account.id) as Iterable<Record<string, DbValue>>) {
      const conv = convUuid.get(Number(it.conversation_id));
      if (!conv) continue;
      const kind = Number(it.content_type);
      if (kind === DINO.contentType.call) {
        summary.leave('calls', 'Conversations backups keep no call log ferry can write');
        continue;
      }
      if (Number(it.hide) === 1) {
        summary.leave('messages', 'hidden in Dino (from a device it did not trust)');
        continue;
      }
      const isFile = kind === DINO.contentType.file;
      if (isFile ? it.file_id === null : it.id === null) {
        summary.leave('messages', 'Dino lists them but holds no content for them');
        continue;
      }
      const sent = Number(isFile ? it.f_direction : it.direction) === DINO.direction.sent;
      const resource = (isFile ? it.f_resource : it.counterpart_resource) as string | null;
      const counterpart = resource ? `${conv.bare}/${resource}` : conv.bare;
      const time = Number(isFile ? it.f_time : it.time) * 1000;
      const dinoEncryption = Number(isFile ? it.f_encryption : it.encryption);
      const encryption =
        dinoEncryption === DINO.encryption.omemo
          ? MESSAGE_ENCRYPTION.omemo
          : dinoEncryption === DINO.encryption.pgp
            ? MESSAGE_ENCRYPTION.decrypted
            : MESSAGE_ENCRYPTION.none;
      const marked = Number(isFile ? it.f_marked : it.marked);
      let fingerprint: string | null = null;
      if (!sent && encryption === MESSAGE_ENCRYPTION.omemo && senderDevice) {
        const meta = senderDevice.get(Number(it.item_id)) as
          { address_name: string; device_id: number } | undefined;
        if (meta)
          fingerprint =
            fingerprints.get(`${meta.address_name.toLowerCase()} ${meta.device_id}`) ?? null;
      }
      let body = String((isFile ? it.f_body : it.body) ?? '');
      let relativeFilePath: string | null = null;
      if (isFile) {
        const path =
          typeof it.path === 'string' && it.path !== '' ? join(dinoFilesDir(home), it.path) : null;
        if (path && existsSync(path)) relativeFilePath = path;
        if (body === '') body = String(it.file_name ?? '');
        summary.carry(
          relativeFilePath
            ? 'file messages (pointing at the file in the Dino home)'
            : 'file messages (link only)',
        );
      } else summary.carry('messages');
      yield {
        table: 'messages',
        values: {
          uuid: randomUUID(),
          conversationUuid: conv.uuid,
          timeSent: time,
          counterpart: conv.group ? counterpart : counterpart,
          trueCounterpart: conv.group && typeof it.real_jid === 'string' ? it.real_jid : null,
          body,
          encryption,
          status: sent ? sentStatus(marked) : MESSAGE_STATUS.received,
          type: isFile
            ? MESSAGE_TYPE.file
            : Number(it.type) === DINO.messageType.groupchatPm
              ? MESSAGE_TYPE.private
              : MESSAGE_TYPE.text,
          relativeFilePath,
          serverMsgId: (isFile ? it.f_server_id : it.server_id) ?? null,
          axolotl_fingerprint: fingerprint,
          carbon: 0,
          edited: null,
          read: 1,
          oob: isFile ? 1 : 0,
          errorMsg: null,
          readByMarkers: null,
          markable: 0,
          deleted: 0,
          bodyLanguage: null,
          remoteMsgId: (isFile ? it.f_stanza_id : it.stanza_id) ?? null,
          occupantId: null,
          reactions: null,
        },
      };
    }

    if (!omemo) return;
    for (const k of omemo.preKeys)
      yield {
        table: 'prekeys',
        values: { account: uuid, id: k.id, key: encodeAndroidBase64(k.record) },
      };
    for (const k of omemo.signedPreKeys)
      yield {
        table: 'signed_prekeys',
        values: { account: uuid, id: k.id, key: encodeAndroidBase64(k.record) },
      };
    for (const s of omemo.sessions)
      yield {
        table: 'sessions',
        values: {
          account: uuid,
          name: s.name,
          device_id: s.deviceId,
          key: encodeAndroidBase64(s.record),
        },
      };
    yield {
      table: 'identities',
      values: {
        account: uuid,
        name: accountJid,
        ownkey: 1,
        fingerprint: fingerprintOf(omemo.publicKey),
        certificate: null,
        trust: 'VERIFIED',
        active: 1,
        last_activation: null,
        key: encodeAndroidBase64(
          encodeIdentityKeyPair({ publicKey: omemo.publicKey, privateKey: omemo.privateKey }),
        ),
      },
    };
    summary.carry('OMEMO identity (device id, identity key pair)');
    summary.carry('OMEMO prekeys', omemo.preKeys.length);
    summary.carry('OMEMO signed prekeys', omemo.signedPreKeys.length);
    summary.carry('OMEMO sessions', omemo.sessions.length);
    const seen = new Set<string>();
    for (const d of omemo.devices) {
      if (d.name === accountJid && d.deviceId === omemo.deviceId) continue;
      const fingerprint = fingerprintOf(d.key);
      // Conversations keeps trust per key: one row per contact and fingerprint.
      if (seen.has(`${d.name} ${fingerprint}`)) continue;
      seen.add(`${d.name} ${fingerprint}`);
      const trust = conversationsTrust(d.trust);
      yield {
        table: 'identities',
        values: {
          account: uuid,
          name: d.name,
          ownkey: 0,
          fingerprint,
          certificate: null,
          trust,
          active: d.active ? 1 : 0,
          last_activation: d.lastActive === null ? null : d.lastActive * 1000,
          key: encodeAndroidBase64(d.key),
        },
      };
      summary.carry(
        trust === 'UNDECIDED'
          ? 'OMEMO devices not yet decided on'
          : 'OMEMO devices with their trust',
      );
    }
  } finally {
    db.close();
    omemoDb?.close();
  }
}

function sentStatus(marked: number): number {
  switch (marked) {
    case DINO.marked.received:
      return MESSAGE_STATUS.sentReceived;
    case DINO.marked.read:
    case DINO.marked.acknowledged:
      return MESSAGE_STATUS.sentDisplayed;
    case DINO.marked.error:
    case DINO.marked.wontsend:
      return MESSAGE_STATUS.sendFailed;
    case DINO.marked.unsent:
    case DINO.marked.sending:
      return MESSAGE_STATUS.waiting;
    default:
      return MESSAGE_STATUS.sent;
  }
}
