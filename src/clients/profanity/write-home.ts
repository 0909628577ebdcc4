import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { syncFileNow } from '../../format/index.js';
import { readBackupRows, type DbRow, type DbValue } from '../../store/backup-rows.js';
import { decodeAndroidBase64 } from '../../store/omemo-keys.js';
import {
  CONVERSATION_MODE,
  MESSAGE_ENCRYPTION,
  MESSAGE_STATUS,
  MESSAGE_TYPE,
} from '../../store/codes.js';
import type { SourceAccount } from '../account-source.js';
import {
  RecordError,
  decodeIdentityKeyPair,
  fingerprintOf,
  preKeyId,
  sessionRemoteIdentity,
  signedPreKeyId,
} from '../signal-records.js';
import type { TransferSummary } from '../summary.js';
import { ClientError } from '../errors.js';
import {
  chatLogInserter,
  createChatLog,
  formatTimestamp,
  type ChatLogEncryption,
  type ChatLogRow,
} from './chatlog.js';
import { KeyFile } from './keyfile.js';
import { IDENTITY, OMEMO_FILES, profanityPaths } from './layout.js';

/** Conversations' trust levels that profanity gets as trusted (trust.txt): sent to and shown as trusted. */
const TRUSTED = new Set(['TRUSTED', 'VERIFIED', 'VERIFIED_X509']);

const str = (v: DbValue | undefined): string => (v === null || v === undefined ? '' : String(v));
const num = (v: DbValue | undefined): number => (v === null || v === undefined ? 0 : Number(v));

function bareOf(jid: string): string {
  const slash = jid.indexOf('/');
  return (slash === -1 ? jid : jid.slice(0, slash)).toLowerCase();
}
function resourceOf(jid: string): string {
  const slash = jid.indexOf('/');
  return slash === -1 ? '' : jid.slice(slash + 1);
}

function encryptionOf(encryption: number): ChatLogEncryption | undefined {
  switch (encryption) {
    case MESSAGE_ENCRYPTION.none:
      return 'none';
    case MESSAGE_ENCRYPTION.omemo:
      return 'omemo';
    case MESSAGE_ENCRYPTION.pgp:
    case MESSAGE_ENCRYPTION.decrypted:
      return 'pgp';
    case MESSAGE_ENCRYPTION.otr:
      return 'otr';
    default:
      return undefined; // not decrypted in Conversations: no text to carry
  }
}

/** Writes a private file (0600) and syncs it. */
function writePrivate(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
  syncFileNow(path);
}

interface Conversation {
  jid: string;
  group: boolean;
  /** Conversations' `next_encryption` attribute, when set. */
  nextEncryption: number | undefined;
}

interface OmemoRows {
  preKeys: { id: number; record: Buffer }[];
  signedPreKeys: { id: number; record: Buffer }[];
  sessions: { name: string; deviceId: number; record: Buffer }[];
  identities: { name: string; own: boolean; fingerprint: string; trust: string; key: Buffer }[];
}

/**
 * Writes the account of `source` as profanity 0.13's files under `home` (an empty folder that
 * becomes HOME): the accounts file, the chat log database and the OMEMO files. See
 * docs/clients.md for the mapping and its sources.
 */
export function writeProfanityHome(
  source: SourceAccount,
  home: string,
  summary: TransferSummary,
): void {
  const { account } = source;
  const jid = source.jid.toLowerCase();
  const conversations = new Map<string, Conversation>();
  const omemo: OmemoRows = { preKeys: [], signedPreKeys: [], sessions: [], identities: [] };
  const chatlogPath = profanityPaths.chatlog(home, jid);
  mkdirSync(dirname(chatlogPath), { recursive: true, mode: 0o700 });
  const chatlog = createChatLog(chatlogPath);
  const omemoChats = new Set<string>();
  summary.carryFact('the account: JID, resource, server and port');
  if (account.password) summary.carryFact('the account password');
  else summary.leaveFact('the account password', 'none stored; profanity asks for it at /connect');
  try {
    const insert = chatLogInserter(chatlog);
    chatlog.exec('BEGIN');
    for (const row of readBackupRows(source.db, account.uuid) as Iterable<DbRow>) {
      const v = row.values;
      switch (row.table) {
        case 'conversations': {
          let nextEncryption: number | undefined;
          try {
            const attrs = JSON.parse(str(v.attributes) || '{}') as Record<string, unknown>;
            if (attrs.next_encryption !== undefined) nextEncryption = Number(attrs.next_encryption);
          } catch {
            // attributes are Conversations' business; a broken one changes nothing here
          }
          conversations.set(str(v.uuid), {
            jid: bareOf(str(v.contactJid)),
            group: num(v.mode) === CONVERSATION_MODE.group,
            nextEncryption,
          });
          break;
        }
        case 'messages': {
          const conversation = conversations.get(str(v.conversationUuid));
          if (!conversation) break;
          const line = chatLogRowOf(v, conversation, jid, str(account.resource), summary);
          if (line) {
            insert(line);
            if (line.encryption === 'omemo' && !conversation.group)
              omemoChats.add(conversation.jid);
          }
          break;
        }
        case 'prekeys':
          omemo.preKeys.push({ id: num(v.id), record: decodeAndroidBase64(str(v.key)) });
          break;
        case 'signed_prekeys':
          omemo.signedPreKeys.push({ id: num(v.id), record: decodeAndroidBase64(str(v.key)) });
          break;
        case 'sessions':
          omemo.sessions.push({
            name: str(v.name).toLowerCase(),
            deviceId: num(v.device_id),
            record: decodeAndroidBase64(str(v.key)),
          });
          break;
        case 'identities':
          omemo.identities.push({
            name: str(v.name).toLowerCase(),
            own: num(v.ownkey) === 1,
            fingerprint: str(v.fingerprint).toLowerCase(),
            trust: str(v.trust) || 'UNDECIDED',
            key: decodeAndroidBase64(str(v.key)),
          });
          break;
        default:
          break;
      }
    }
    chatlog.exec('COMMIT');
  } finally {
    if (chatlog.inTransaction) chatlog.exec('ROLLBACK');
    chatlog.close();
  }
  chmodSync(chatlogPath, 0o600);
  syncFileNow(chatlogPath);
  summary.carry('conversations', conversations.size);

  // OMEMO: chats Conversations encrypts (a session, or OMEMO chosen) start encrypted in profanity.
  const hasSession = new Set(omemo.sessions.map((s) => s.name));
  const encrypted: string[] = [];
  const plain: string[] = [];
  for (const c of conversations.values()) {
    if (c.group) continue;
    if (c.nextEncryption === MESSAGE_ENCRYPTION.none) plain.push(c.jid);
    else if (
      c.nextEncryption === MESSAGE_ENCRYPTION.omemo ||
      hasSession.has(c.jid) ||
      omemoChats.has(c.jid)
    )
      encrypted.push(c.jid);
  }
  const wroteOmemo = writeOmemoFiles(source, home, jid, omemo, summary);
  writeAccountsFile(source, home, jid, wroteOmemo ? encrypted : [], plain, summary);
  writePreferences(home, summary);
  summary.leaveFact(
    'delivery and read marks, reactions, which device sent each message',
    "profanity's chat log has no place for them",
  );
  summary.leaveFact(
    'roster, bookmarks and avatars',
    'kept on the server: profanity fetches them at login',
  );
}

/**
 * profanity shows a chat's history from its chat log only with `/logging chat on` and
 * `/history on` (both off by default, src/config/preferences.c `_get_default_boolean`; and MAM
 * off, src/ui/chatwin.c `chatwin_new`): a new home gets those two on, so the history carried
 * shows when a chat opens. (chat logging also keeps profanity's text logs under chatlogs/.)
 */
function writePreferences(home: string, summary: TransferSummary): void {
  const kf = new KeyFile();
  kf.set('ui', 'history', true);
  kf.set('logging', 'chlog', true);
  writePrivate(profanityPaths.profrc(home), kf.toString());
  summary.note('History display is on in this profanity (/history on, /logging chat on).');
}

function chatLogRowOf(
  v: Record<string, DbValue>,
  conversation: Conversation,
  ownJid: string,
  ownResource: string,
  summary: TransferSummary,
): ChatLogRow | undefined {
  if (num(v.deleted) === 1) {
    summary.leave('messages', 'deleted in Conversations');
    return undefined;
  }
  const type = num(v.type);
  if (type === MESSAGE_TYPE.status || type === MESSAGE_TYPE.call) {
    summary.leave('call and status events', 'profanity keeps messages only');
    return undefined;
  }
  const encryption = encryptionOf(num(v.encryption));
  if (encryption === undefined) {
    summary.leave('messages', 'Conversations could not decrypt them either');
    return undefined;
  }
  const body = str(v.body);
  if (body === '') {
    summary.leave('messages', 'no text (a file without a link)');
    return undefined;
  }
  if (
    type === MESSAGE_TYPE.image ||
    type === MESSAGE_TYPE.file ||
    type === MESSAGE_TYPE.privateFile
  ) {
    summary.carry('file messages (their link; the files stay where they are)');
  } else summary.carry('messages');
  const incoming = num(v.status) === MESSAGE_STATUS.received;
  const counterpart = str(v.counterpart) || conversation.jid;
  const isPrivate =
    conversation.group && (type === MESSAGE_TYPE.private || type === MESSAGE_TYPE.privateFile);
  const chatType = conversation.group ? (isPrivate ? 'mucpm' : 'muc') : 'chat';
  const peerBare = conversation.group ? conversation.jid : bareOf(counterpart);
  const peerResource = conversation.group || incoming ? resourceOf(counterpart) : '';
  // Outgoing: Conversations' stanza id is the message uuid (remoteMsgId when it differs).
  const stanzaId = incoming ? str(v.remoteMsgId) : str(v.remoteMsgId) || str(v.uuid);
  return {
    from_jid: incoming ? peerBare : ownJid,
    from_resource: incoming ? peerResource : ownResource,
    to_jid: incoming ? ownJid : peerBare,
    to_resource: incoming ? '' : isPrivate ? peerResource : '',
    message: body,
    timestamp: formatTimestamp(num(v.timeSent)),
    type: chatType,
    stanza_id: stanzaId,
    archive_id: str(v.serverMsgId),
    replace_id: '',
    encryption,
    marked_read: null,
  };
}

function writeAccountsFile(
  source: SourceAccount,
  home: string,
  jid: string,
  omemoEnabled: string[],
  omemoDisabled: string[],
  summary: TransferSummary,
): void {
  const a = source.account;
  const kf = new KeyFile();
  kf.set(jid, 'enabled', true);
  kf.set(jid, 'jid', jid);
  if (a.resource) kf.set(jid, 'resource', a.resource);
  if (a.hostname) kf.set(jid, 'server', a.hostname);
  if (a.port !== null && a.port !== undefined && (a.hostname || Number(a.port) !== 5222)) {
    kf.set(jid, 'port', Number(a.port));
  }
  if (a.password) kf.set(jid, 'password', a.password);
  kf.set(jid, 'muc.nick', a.username);
  for (const [k, v] of [
    ['presence.last', 'online'],
    ['presence.login', 'online'],
    ['priority.online', 0],
    ['priority.chat', 0],
    ['priority.away', 0],
    ['priority.xa', 0],
    ['priority.dnd', 0],
  ] as const) {
    kf.set(jid, k, v);
  }
  if (omemoEnabled.length > 0) kf.setList(jid, 'omemo.enabled', omemoEnabled);
  if (omemoDisabled.length > 0) kf.setList(jid, 'omemo.disabled', omemoDisabled);
  summary.carry('chats that start OMEMO-encrypted', omemoEnabled.length);
  writePrivate(profanityPaths.accounts(home), kf.toString());
}

/** identity.txt, sessions.txt, trust.txt and known_devices.txt; false when there is no identity. */
function writeOmemoFiles(
  source: SourceAccount,
  home: string,
  jid: string,
  omemo: OmemoRows,
  summary: TransferSummary,
): boolean {
  const own = omemo.identities.find((i) => i.own);
  const deviceId = Number(source.account.keys ? safeKeys(source.account.keys).axolotl_reg_id : NaN);
  if (!own || !Number.isInteger(deviceId) || deviceId <= 0) {
    summary.leaveFact(
      'the OMEMO identity',
      'the account has none yet; profanity makes one with /omemo gen',
    );
    summary.leave(
      'OMEMO sessions',
      'no identity of the account to go with them',
      omemo.sessions.length,
    );
    return false;
  }
  const dir = profanityPaths.omemoDir(home, jid);
  const broken = (what: string, err: unknown): never => {
    throw new ClientError(
      'damaged-home',
      `the account's ${what} cannot be read (${err instanceof Error ? err.message : String(err)})`,
      'The source holds damaged OMEMO keys; nothing was written.',
    );
  };
  let pair;
  try {
    pair = decodeIdentityKeyPair(own.key);
  } catch (err) {
    return broken('identity key', err);
  }
  const identity = new KeyFile();
  identity.set(IDENTITY.group, IDENTITY.deviceId, deviceId);
  identity.set(IDENTITY.group, IDENTITY.publicKey, pair.publicKey.toString('base64'));
  identity.set(IDENTITY.group, IDENTITY.privateKey, pair.privateKey.toString('base64'));
  // Conversations' device id is its registration id (KeyHelper.generateRegistrationId).
  identity.set(IDENTITY.group, IDENTITY.registrationId, deviceId);
  for (const p of [...omemo.preKeys].sort((a, b) => a.id - b.id)) {
    try {
      preKeyId(p.record);
    } catch (err) {
      broken(`prekey ${p.id}`, err);
    }
    identity.set(IDENTITY.prekeys, String(p.id), p.record.toString('base64'));
  }
  // profanity publishes the last signed prekey of the group: the newest (highest id), as ferry.
  for (const s of [...omemo.signedPreKeys].sort((a, b) => a.id - b.id)) {
    try {
      signedPreKeyId(s.record);
    } catch (err) {
      broken(`signed prekey ${s.id}`, err);
    }
    identity.set(IDENTITY.signedPrekeys, String(s.id), s.record.toString('base64'));
  }
  summary.carryFact('the OMEMO identity: device id and identity key pair');
  summary.carry('OMEMO prekeys', omemo.preKeys.length);
  summary.carry('OMEMO signed prekeys', omemo.signedPreKeys.length);

  const sessions = new KeyFile();
  const trust = new KeyFile();
  const known = new KeyFile();
  known.set(jid, String(deviceId), fingerprintOf(pair.publicKey).slice(2));
  const trustOf = new Map(
    omemo.identities.filter((i) => !i.own).map((i) => [`${i.name}\u0000${i.fingerprint}`, i.trust]),
  );
  const placed = new Set<string>();
  for (const s of omemo.sessions) {
    let remote: Buffer;
    try {
      remote = sessionRemoteIdentity(s.record);
    } catch (err) {
      if (err instanceof RecordError) {
        summary.leave('OMEMO sessions', 'unreadable in the source');
        continue;
      }
      throw err;
    }
    const fingerprint = fingerprintOf(remote);
    const level = trustOf.get(`${s.name}\u0000${fingerprint}`) ?? 'UNDECIDED';
    sessions.set(s.name, String(s.deviceId), s.record.toString('base64'));
    known.set(s.name, String(s.deviceId), fingerprint.slice(2));
    placed.add(`${s.name}\u0000${fingerprint}`);
    summary.carry('OMEMO sessions');
    if (TRUSTED.has(level)) {
      trust.set(s.name, String(s.deviceId), remote.toString('base64'));
      summary.carry('trusted OMEMO devices');
      if (level !== 'TRUSTED') {
        summary.note(
          'Verified devices are trusted in profanity, which has no separate "verified" mark.',
        );
      }
    } else if (level === 'UNDECIDED') {
      summary.leave(
        'OMEMO trust decisions',
        'undecided in Conversations; profanity asks (/omemo trust JID FINGERPRINT)',
      );
    } else {
      summary.carry('distrusted OMEMO devices (kept untrusted)');
    }
  }
  const unplaced = omemo.identities.filter(
    (i) => !i.own && !placed.has(`${i.name}\u0000${i.fingerprint}`),
  );
  summary.leave(
    'contact keys without a session',
    "profanity keeps trust per device and Conversations did not record their device ids; profanity sees them again from the contacts' device lists",
    unplaced.length,
  );

  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writePrivate(join(dir, OMEMO_FILES.identity), identity.toString());
  // profanity reads a missing file as empty (and creates it when it first has something to keep).
  for (const [name, kf] of [
    [OMEMO_FILES.sessions, sessions],
    [OMEMO_FILES.trust, trust],
    [OMEMO_FILES.knownDevices, known],
  ] as const) {
    if (kf.groups().length > 0) writePrivate(join(dir, name), kf.toString());
  }
  return true;
}

function safeKeys(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
