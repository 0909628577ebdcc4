import Database from '../../store/sqlite.js';
import { randomUUID } from 'node:crypto';
import { existsSync, lstatSync, readFileSync } from 'node:fs';
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
  checkIdentityKey,
  encodeIdentityKeyPair,
  fingerprintOf,
  preKeyId,
  sessionRemoteIdentity,
  signedPreKeyId,
  type IdentityKeyPair,
} from '../signal-records.js';
import { TransferSummary } from '../summary.js';
import { checkChatLogSchema, parseTimestamp } from './chatlog.js';
import { KeyFile } from './keyfile.js';
import { IDENTITY, OMEMO_FILES, profanityDataDir, profanityPaths } from './layout.js';

function damaged(file: string, problem: string): ClientError {
  return new ClientError(
    'damaged-home',
    `${file} ${problem}`,
    'This profanity home is damaged or incomplete; nothing was imported. Copy it again from the other computer (with profanity stopped), or start profanity once on it to repair it.',
  );
}

/** Reads a key file strictly; undefined when it does not exist. */
function readKeyFile(path: string): KeyFile | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return KeyFile.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw damaged(path, `cannot be read: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function base64(path: string, text: string | undefined, what: string): Buffer {
  if (text === undefined || !/^[A-Za-z0-9+/]+={0,2}$/.test(text.trim())) {
    throw damaged(path, `has no valid ${what}`);
  }
  return Buffer.from(text.trim(), 'base64');
}

function deviceIdOf(path: string, text: string | undefined, what: string): number {
  const n = Number(text);
  if (
    text === undefined ||
    !/^\d+$/.test(text) ||
    !Number.isSafeInteger(n) ||
    n <= 0 ||
    n > 0x7fffffff
  ) {
    throw damaged(path, `has no valid ${what} ("${text ?? ''}")`);
  }
  return n;
}

interface ProfanityAccount {
  /** Contacts whose chats start OMEMO-encrypted (`omemo.enabled`) or not (`omemo.disabled`). */
  omemoEnabled: Set<string>;
  omemoDisabled: Set<string>;
  jid: string;
  username: string;
  server: string;
  password: string | null;
  resource: string | null;
  hostname: string | null;
  port: number;
  nick: string;
}

function pickAccount(
  home: string,
  jid: string | undefined,
  summary: TransferSummary,
): ProfanityAccount {
  const path = profanityPaths.accounts(home);
  if (!existsSync(profanityDataDir(home))) {
    throw new ClientError(
      'damaged-home',
      `${home} is not a profanity home (it has no .local/share/profanity)`,
      'Give the folder profanity runs with as HOME (the one holding .local/share/profanity); nothing was imported.',
    );
  }
  const kf = readKeyFile(path);
  if (!kf) throw damaged(path, 'is missing: profanity keeps its accounts there');
  const names = kf.groups();
  const jidOf = (name: string) => (kf.get(name, 'jid') ?? name).trim().toLowerCase();
  const wanted = jid?.trim().toLowerCase();
  const matches = wanted === undefined ? names : names.filter((n) => jidOf(n) === wanted);
  if (matches.length !== 1) {
    const known = names.map(jidOf).join(', ');
    throw new ClientError(
      'unusable-account',
      names.length === 0
        ? `the profanity home ${home} has no account`
        : wanted !== undefined
          ? `the profanity home has no account ${jid}`
          : `the profanity home has ${names.length} accounts (${known})`,
      names.length === 0
        ? 'Add the account in profanity first (/account add), or give another folder.'
        : `Pick one with --account JID (accounts there: ${known}).`,
    );
  }
  const name = matches[0] as string;
  const bare = jidOf(name);
  const at = bare.indexOf('@');
  if (at <= 0 || at === bare.length - 1 || bare.includes('/')) {
    throw damaged(path, `names an account "${bare}" that is not a bare JID`);
  }
  summary.carryFact('the account: JID, resource, server and port');
  const password = kf.get(name, 'password') ?? null;
  if (password === null) {
    summary.leaveFact(
      'the account password',
      kf.has(name, 'eval_password')
        ? 'profanity runs a command for it (eval_password); ferry asks for it when you enable the account'
        : 'profanity has none stored',
    );
  } else summary.carryFact('the account password');
  const portText = kf.get(name, 'port');
  const port = portText === undefined ? 5222 : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw damaged(path, `has port "${portText}"`);
  const tls = kf.get(name, 'tls.policy');
  if (tls !== undefined && tls !== 'force' && tls !== 'direct') {
    summary.leaveFact(
      'the TLS setting',
      `profanity's "${tls}" is not kept: Conversations always requires TLS`,
    );
  }
  for (const key of ['otr.policy', 'pgp.keyid', 'ox.enabled']) {
    if (kf.has(name, key))
      summary.leaveFact(
        `the ${key} setting`,
        'Conversations has no OTR, and its OpenPGP keys are its own',
      );
  }
  return {
    jid: bare,
    username: bare.slice(0, at),
    server: bare.slice(at + 1),
    password,
    resource: kf.get(name, 'resource') ?? null,
    hostname: kf.get(name, 'server') ?? null,
    port: port === 0 ? 5222 : port,
    nick: kf.get(name, 'muc.nick') ?? bare.slice(0, at),
    omemoEnabled: new Set(kf.getList(name, 'omemo.enabled').map((j) => j.toLowerCase())),
    omemoDisabled: new Set(kf.getList(name, 'omemo.disabled').map((j) => j.toLowerCase())),
  };
}

interface OmemoState {
  deviceId: number;
  pair: IdentityKeyPair;
  preKeys: { id: number; record: Buffer }[];
  signedPreKeys: { id: number; record: Buffer }[];
  sessions: { name: string; deviceId: number; record: Buffer }[];
  /** name → fingerprint → [key, trusted] */
  identities: Map<string, Map<string, { key: Buffer; trusted: boolean }>>;
}

function readOmemo(home: string, jid: string, summary: TransferSummary): OmemoState | undefined {
  const dir = profanityPaths.omemoDir(home, jid);
  const identityPath = join(dir, OMEMO_FILES.identity);
  const identity = readKeyFile(identityPath);
  if (!identity) {
    summary.note(
      'The profanity account had no OMEMO identity (never ran /omemo gen); none was carried.',
    );
    return undefined;
  }
  const g = IDENTITY.group;
  if (!identity.has(g)) throw damaged(identityPath, 'has no [identity] group');
  const deviceId = deviceIdOf(identityPath, identity.get(g, IDENTITY.deviceId), 'device_id');
  const publicKey = base64(
    identityPath,
    identity.get(g, IDENTITY.publicKey),
    'identity_key_public',
  );
  const privateKey = base64(
    identityPath,
    identity.get(g, IDENTITY.privateKey),
    'identity_key_private',
  );
  try {
    checkIdentityKey(publicKey, 'identity_key_public');
  } catch {
    throw damaged(identityPath, 'has an identity_key_public that is not a public key');
  }
  if (privateKey.length !== 32)
    throw damaged(identityPath, 'has an identity_key_private that is not a private key');
  const records = (group: string, check: (r: Buffer) => number, what: string) =>
    identity.keys(group).map((k) => {
      const id = deviceIdOf(identityPath, k, `${what} id`);
      const record = base64(identityPath, identity.get(group, k), what);
      try {
        check(record);
      } catch {
        throw damaged(identityPath, `has a ${what} ${id} that is not a libsignal record`);
      }
      return { id, record };
    });
  const preKeys = records(IDENTITY.prekeys, preKeyId, 'prekey');
  const signedPreKeys = records(IDENTITY.signedPrekeys, signedPreKeyId, 'signed prekey');
  if (signedPreKeys.length === 0) throw damaged(identityPath, 'has no signed prekey');

  const identities: OmemoState['identities'] = new Map();
  const addIdentity = (name: string, key: Buffer, trusted: boolean) => {
    const fp = fingerprintOf(key);
    if (name === jid && fp === fingerprintOf(publicKey)) return;
    let byFp = identities.get(name);
    if (!byFp) identities.set(name, (byFp = new Map()));
    const had = byFp.get(fp);
    byFp.set(fp, { key, trusted: trusted || (had?.trusted ?? false) });
  };
  const sessionsPath = join(dir, OMEMO_FILES.sessions);
  const sessionsFile = readKeyFile(sessionsPath);
  const sessions: OmemoState['sessions'] = [];
  for (const name of sessionsFile?.groups() ?? []) {
    for (const k of sessionsFile?.keys(name) ?? []) {
      const device = deviceIdOf(sessionsPath, k, 'device id');
      const record = base64(sessionsPath, sessionsFile?.get(name, k), `session with ${name}`);
      let remote: Buffer;
      try {
        remote = sessionRemoteIdentity(record);
      } catch {
        throw damaged(
          sessionsPath,
          `has a session with ${name} (${device}) that is not a libsignal record`,
        );
      }
      sessions.push({ name: name.toLowerCase(), deviceId: device, record });
      addIdentity(name.toLowerCase(), remote, false);
    }
  }
  const trustPath = join(dir, OMEMO_FILES.trust);
  const trustFile = readKeyFile(trustPath);
  for (const name of trustFile?.groups() ?? []) {
    for (const k of trustFile?.keys(name) ?? []) {
      deviceIdOf(trustPath, k, 'device id');
      const key = base64(trustPath, trustFile?.get(name, k), `key of ${name}`);
      try {
        checkIdentityKey(key, 'a trusted key');
      } catch {
        throw damaged(trustPath, `has a key for ${name} that is not a public key`);
      }
      addIdentity(name.toLowerCase(), key, true);
    }
  }
  const knownPath = join(dir, OMEMO_FILES.knownDevices);
  const knownFile = readKeyFile(knownPath);
  for (const name of knownFile?.groups() ?? []) {
    for (const k of knownFile?.keys(name) ?? []) {
      deviceIdOf(knownPath, k, 'device id');
      const fp = knownFile?.get(name, k) ?? '';
      if (!/^[0-9a-f]{64}$/i.test(fp))
        throw damaged(knownPath, `has a fingerprint "${fp}" for ${name}`);
      addIdentity(name.toLowerCase(), Buffer.from(`05${fp.toLowerCase()}`, 'hex'), false);
    }
  }
  summary.carryFact('the OMEMO identity: device id and identity key pair');
  summary.carry('OMEMO prekeys', preKeys.length);
  summary.carry('OMEMO signed prekeys', signedPreKeys.length);
  summary.carry('OMEMO sessions', sessions.length);
  let trusted = 0;
  let undecided = 0;
  for (const byFp of identities.values()) {
    for (const i of byFp.values()) {
      if (i.trusted) trusted++;
      else undecided++;
    }
  }
  summary.carry('trusted OMEMO devices', trusted);
  summary.carry(
    'OMEMO devices left undecided (profanity did not trust them; Conversations asks)',
    undecided,
  );
  return {
    deviceId,
    pair: { publicKey, privateKey },
    preKeys,
    signedPreKeys,
    sessions,
    identities,
  };
}

interface ChatLogLine {
  id: number;
  from_jid: string;
  to_jid: string;
  from_resource: string | null;
  to_resource: string | null;
  message: string | null;
  timestamp: string | null;
  type: string | null;
  stanza_id: string | null;
  archive_id: string | null;
  replace_id: string | null;
  encryption: string | null;
}

function openChatLog(home: string, jid: string): Database.Database | undefined {
  const path = profanityPaths.chatlog(home, jid);
  if (!existsSync(path)) return undefined;
  if (!lstatSync(path).isFile()) throw damaged(path, 'is not a file');
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new Error(String(check));
  } catch (err) {
    db?.close();
    throw damaged(
      path,
      `is not a readable SQLite database (${err instanceof Error ? err.message : String(err)})`,
    );
  }
  const problem = checkChatLogSchema(db);
  if (problem) {
    db.close();
    throw damaged(path, `is not profanity's chat log: ${problem}`);
  }
  return db;
}

const ENCRYPTION: Record<string, number> = {
  none: MESSAGE_ENCRYPTION.none,
  '': MESSAGE_ENCRYPTION.none,
  omemo: MESSAGE_ENCRYPTION.omemo,
  pgp: MESSAGE_ENCRYPTION.decrypted,
  ox: MESSAGE_ENCRYPTION.decrypted,
  otr: MESSAGE_ENCRYPTION.none,
};

/**
 * Reads a profanity 0.13 home (HOME with .local/share/profanity): the account, its chat log and
 * its OMEMO files, checked whole before any row is produced; the chat log's messages are then
 * streamed. See docs/clients.md for the mapping.
 */
export function readProfanityHome(home: string, opts: { jid?: string } = {}): ClientAccount {
  const summary = new TransferSummary();
  const account = pickAccount(home, opts.jid, summary);
  const omemo = readOmemo(home, account.jid, summary);
  const chatlog = openChatLog(home, account.jid);
  if (!chatlog)
    summary.note('The profanity account had no chat log database; no history was carried.');
  const chatlogPath = profanityPaths.chatlog(home, account.jid);
  const accountUuid = randomUUID();

  // Conversations (one per contact or room) and corrections, from small aggregate queries.
  interface Conv {
    uuid: string;
    jid: string;
    group: boolean;
    created: number;
  }
  const conversations = new Map<string, Conv>();
  const corrections = new Map<string, string>();
  const own = account.jid;
  const peerOf = (r: { from_jid: string; to_jid: string }) => {
    const outgoing = r.from_jid.toLowerCase() === own;
    return (outgoing ? r.to_jid : r.from_jid).toLowerCase();
  };
  if (chatlog) {
    const groups = chatlog
      .prepare(
        'SELECT type, from_jid, to_jid, min(timestamp) AS first FROM ChatLogs GROUP BY type, from_jid, to_jid',
      )
      .all() as { type: string | null; from_jid: string; to_jid: string; first: string | null }[];
    for (const g of groups) {
      const group = g.type === 'muc' || g.type === 'mucpm';
      const jid = peerOf(g);
      const key = `${group ? 'g' : 'c'}\u0000${jid}`;
      const created = parseTimestamp(g.first ?? '') ?? Date.now();
      const had = conversations.get(key);
      if (!had) conversations.set(key, { uuid: randomUUID(), jid, group, created });
      else had.created = Math.min(had.created, created);
    }
    const fixes = chatlog
      .prepare(
        "SELECT from_jid, replace_id, message FROM ChatLogs WHERE replace_id IS NOT NULL AND replace_id != '' ORDER BY id",
      )
      .all() as { from_jid: string; replace_id: string; message: string | null }[];
    for (const f of fixes)
      corrections.set(`${f.from_jid.toLowerCase()}\u0000${f.replace_id}`, f.message ?? '');
  }

  function* rows(): Generator<DbRow> {
    try {
      const keys: Record<string, string> = {};
      if (omemo) {
        keys.axolotl_reg_id = String(omemo.deviceId);
        keys.axolotl_cur_prekey_id = String(Math.max(0, ...omemo.preKeys.map((p) => p.id)));
      }
      yield {
        table: 'accounts',
        values: {
          uuid: accountUuid,
          username: account.username,
          server: account.server,
          password: account.password,
          display_name: null,
          status: null,
          status_message: null,
          rosterversion: null,
          options: 0n,
          avatar: null,
          keys: JSON.stringify(keys),
          hostname: account.hostname,
          resource: account.resource,
          port: BigInt(account.port),
        },
      };
      for (const c of conversations.values()) {
        yield {
          table: 'conversations',
          values: {
            uuid: c.uuid,
            name: null,
            contactUuid: null,
            accountUuid,
            contactJid: c.jid,
            created: BigInt(c.created),
            status: BigInt(CONVERSATION_STATUS.available),
            mode: BigInt(c.group ? CONVERSATION_MODE.group : CONVERSATION_MODE.single),
            // Conversation.ATTRIBUTE_NEXT_ENCRYPTION: what profanity starts the chat with.
            attributes: JSON.stringify(
              c.group
                ? {}
                : account.omemoEnabled.has(c.jid)
                  ? { next_encryption: MESSAGE_ENCRYPTION.omemo }
                  : account.omemoDisabled.has(c.jid)
                    ? { next_encryption: MESSAGE_ENCRYPTION.none }
                    : {},
            ),
          },
        };
      }
      summary.carry('conversations', conversations.size);
      if (chatlog) yield* messageRows();
      if (omemo) yield* omemoRows(omemo);
    } finally {
      chatlog?.close();
    }
  }

  function* messageRows(): Generator<DbRow> {
    if (!chatlog) return;
    const stmt = chatlog.prepare('SELECT * FROM ChatLogs ORDER BY id');
    for (const r of stmt.iterate() as Iterable<ChatLogLine>) {
      if (r.replace_id) continue; // folded into the message it corrects
      const type = r.type ?? '';
      if (type !== 'chat' && type !== 'muc' && type !== 'mucpm') {
        summary.leave('messages', `of a kind profanity marks "${type}"`);
        continue;
      }
      const time = parseTimestamp(r.timestamp ?? '');
      if (time === undefined)
        throw damaged(
          chatlogPath,
          `has a message (row ${r.id}) with timestamp "${r.timestamp ?? ''}"`,
        );
      const group = type !== 'chat';
      const conv = conversations.get(`${group ? 'g' : 'c'}\u0000${peerOf(r)}`);
      if (!conv) continue;
      const outgoing = r.from_jid.toLowerCase() === own;
      const stanzaId = r.stanza_id || null;
      const corrected = stanzaId
        ? corrections.get(`${r.from_jid.toLowerCase()}\u0000${stanzaId}`)
        : undefined;
      if (corrected !== undefined) summary.carry('corrections (the corrected text kept)');
      const body = corrected ?? r.message ?? '';
      const peerResource = outgoing ? r.to_resource : r.from_resource;
      const counterpart =
        type === 'chat'
          ? outgoing
            ? conv.jid
            : `${conv.jid}${r.from_resource ? `/${r.from_resource}` : ''}`
          : type === 'muc'
            ? `${conv.jid}/${outgoing ? account.nick : (r.from_resource ?? '')}`
            : `${conv.jid}/${peerResource ?? ''}`;
      const encryption = ENCRYPTION[r.encryption ?? ''] ?? MESSAGE_ENCRYPTION.none;
      if (r.encryption === 'otr')
        summary.note('OTR messages are kept as plain text: Conversations has no OTR.');
      summary.carry('messages');
      const values: Record<string, DbValue> = {
        uuid: randomUUID(),
        conversationUuid: conv.uuid,
        timeSent: BigInt(time),
        counterpart,
        trueCounterpart: null,
        body,
        encryption: BigInt(encryption),
        status: BigInt(outgoing ? MESSAGE_STATUS.sent : MESSAGE_STATUS.received),
        type: BigInt(type === 'mucpm' ? MESSAGE_TYPE.private : MESSAGE_TYPE.text),
        relativeFilePath: null,
        serverMsgId: r.archive_id || null,
        axolotl_fingerprint: null,
        carbon: 0n,
        edited: null,
        read: 1n,
        oob: 0n,
        errorMsg: null,
        readByMarkers: null,
        markable: 0n,
        deleted: 0n,
        bodyLanguage: null,
        remoteMsgId: stanzaId,
      };
      yield { table: 'messages', values };
    }
  }

  function* omemoRows(o: OmemoState): Generator<DbRow> {
    for (const p of o.preKeys) {
      yield {
        table: 'prekeys',
        values: { account: accountUuid, id: BigInt(p.id), key: encodeAndroidBase64(p.record) },
      };
    }
    for (const s of o.signedPreKeys) {
      yield {
        table: 'signed_prekeys',
        values: { account: accountUuid, id: BigInt(s.id), key: encodeAndroidBase64(s.record) },
      };
    }
    for (const s of o.sessions) {
      yield {
        table: 'sessions',
        values: {
          account: accountUuid,
          name: s.name,
          device_id: BigInt(s.deviceId),
          key: encodeAndroidBase64(s.record),
        },
      };
    }
    yield {
      table: 'identities',
      values: {
        account: accountUuid,
        name: own,
        ownkey: 1n,
        fingerprint: fingerprintOf(o.pair.publicKey),
        certificate: null,
        trust: 'VERIFIED',
        active: 1n,
        last_activation: null,
        key: encodeAndroidBase64(encodeIdentityKeyPair(o.pair)),
      },
    };
    for (const [name, byFp] of o.identities) {
      for (const [fingerprint, i] of byFp) {
        yield {
          table: 'identities',
          values: {
            account: accountUuid,
            name,
            ownkey: 0n,
            fingerprint,
            certificate: null,
            trust: i.trusted ? 'TRUSTED' : 'UNDECIDED',
            active: 1n,
            last_activation: null,
            key: encodeAndroidBase64(i.key),
          },
        };
      }
    }
  }

  summary.leaveFact(
    'roster and bookmarks',
    'kept on the server: Conversations fetches them at login',
  );
  return { jid: account.jid, rows: rows(), summary };
}
