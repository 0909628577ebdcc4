import Database from '../../store/sqlite.js';
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, linkSync, mkdirSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { syncFileNow, syncFolderNow } from '@ferry/ceb-format';
import {
  CONVERSATION_MODE,
  CONVERSATION_STATUS,
  FILE_MESSAGE_TYPES,
  MESSAGE_ENCRYPTION,
  MESSAGE_STATUS,
  MESSAGE_TYPE,
} from '../../store/codes.js';
import { readAccountRowsInTimeOrder } from '../../store/rows-in-time-order.js';
import type { SourceAccount } from '../account-source.js';
import { ClientError } from '../errors.js';
import {
  RecordError,
  decodeIdentityKeyPair,
  fingerprintOf,
  sessionRemoteIdentity,
  type IdentityKeyPair,
} from '../signal-records.js';
import type { TransferSummary } from '../summary.js';
import { dinoDataDir, dinoDbPath, dinoFilesDir, omemoDbPath } from './layout.js';
import { MediaFinder } from './media-finder.js';
import { DINO, DINO_DB_DDL, DINO_DB_VERSION, OMEMO_DB_DDL, OMEMO_DB_VERSION } from './schema.js';
import { dinoTrustLevel } from './trust.js';
import {
  bareOf,
  fromBase64,
  glibBase64,
  int,
  resourceOf,
  text,
  type ConversationsRow,
} from './values.js';

export interface DinoWriteOptions {
  /** Folders holding the chats' files (`--media`); a profile's own Media/ folder is always looked in. */
  mediaDirs?: string[];
}

interface ConversationInfo {
  id: number;
  jidId: number;
  bare: string;
  group: boolean;
  nick: string | null;
  /** Conversations' `next_encryption` attribute, when set. */
  nextEncryption: number | null;
  lastTime: number;
  lastMessageId: number | null;
  lastItemId: number | null;
}

interface ArchiveRange {
  fromId: string;
  fromTime: number;
  toId: string;
  toTime: number;
}

/** Conversations' encryption states Dino shows as OMEMO (decrypted PGP among them, as before). */
const OMEMO_ENCRYPTIONS: readonly number[] = [
  MESSAGE_ENCRYPTION.decrypted,
  MESSAGE_ENCRYPTION.omemo,
  MESSAGE_ENCRYPTION.omemoNotForThisDevice,
  MESSAGE_ENCRYPTION.omemoFailed,
];
const MIME_BY_EXTENSION: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.m4a': 'audio/mp4',
  '.ogg': 'audio/ogg',
  '.opus': 'audio/ogg',
  '.mp3': 'audio/mpeg',
  '.pdf': 'application/pdf',
  '.txt': 'text/plain',
};

function seconds(ms: number | null): number {
  return ms === null ? 0 : Math.floor(ms / 1000);
}

/**
 * Writes a Dino 0.4 home (`HOME=DIR dino`) into `dir` (an empty staging folder, see
 * clients/transfer.ts) from the account of `source`: the account, one-to-one and group
 * conversations, the history with Dino's ids (`stanza_id`, `server_id`, and `mam_catchup` ranges so
 * that Dino's own archive catch-up starts after the newest carried message instead of fetching it
 * again), file messages as Dino's file transfers (the file linked into `files/` when found), and
 * the OMEMO identity, prekeys, signed prekeys, sessions and trust (docs/clients.md).
 */
export function writeDinoHome(
  source: SourceAccount,
  dir: string,
  summary: TransferSummary,
  opts: DinoWriteOptions = {},
): void {
  const roots = [...(opts.mediaDirs ?? [])];
  if (source.spec.kind === 'profile') roots.push(join(source.spec.profileDir, 'Media'));
  const finder = new MediaFinder(roots);
  // Dino orders a chat by time (whole seconds), then by row id: ids must follow the time.
  writeDinoData(dir, readAccountRowsInTimeOrder(source.db, source.account.uuid), summary, {
    findMedia: (p) => finder.find(p),
  });
}

/** The writer itself, from one account's rows in backup order (a `.ceb`'s or a profile's). */
export function writeDinoData(
  dir: string,
  rows: Iterable<ConversationsRow>,
  summary: TransferSummary,
  opts: { findMedia?(relativeFilePath: string): string | null } = {},
): void {
  for (const d of [dir, join(dir, '.local'), join(dir, '.local', 'share'), dinoDataDir(dir)])
    mkdirSync(d, { recursive: true, mode: 0o700 });
  mkdirSync(dinoFilesDir(dir), { mode: 0o700 });
  chmodSync(dir, 0o700);
  const writer = new HomeWriter(dir, opts, summary);
  try {
    for (const row of rows) writer.add(row);
    writer.finish();
  } finally {
    writer.close();
  }
  for (const f of [dinoDbPath(dir), omemoDbPath(dir)]) {
    chmodSync(f, 0o600);
    syncFileNow(f);
  }
  syncFolderNow(dinoFilesDir(dir));
  syncFolderNow(dinoDataDir(dir));
}

class HomeWriter {
  private readonly dino: Database.Database;
  private readonly omemo: Database.Database;
  private accountId: number | null = null;
  private accountJid = '';
  private accountResource: string | null = null;
  private accountKeys: Record<string, string> = {};
  private readonly conversations = new Map<string, ConversationInfo>();
  private readonly jidIds = new Map<string, number>();
  private readonly ranges = new Map<string, ArchiveRange>();
  private readonly preKeys: { id: number; record: Buffer }[] = [];
  private readonly signedPreKeys: { id: number; record: Buffer }[] = [];
  private readonly sessions: { name: string; deviceId: number; record: Buffer }[] = [];
  private readonly identities: {
    name: string;
    own: boolean;
    fingerprint: string;
    trust: string | null;
    active: boolean;
    lastActivation: number | null;
    key: Buffer;
  }[] = [];
  private readonly stmt: Record<string, Database.Statement>;

  constructor(
    private readonly staging: string,
    private readonly opts: { findMedia?(relativeFilePath: string): string | null },
    private readonly summary: TransferSummary,
  ) {
    this.dino = new Database(dinoDbPath(staging));
    this.omemo = new Database(omemoDbPath(staging));
    for (const [db, ddl, version] of [
      [this.dino, DINO_DB_DDL, DINO_DB_VERSION],
      [this.omemo, OMEMO_DB_DDL, OMEMO_DB_VERSION],
    ] as const) {
      db.exec(ddl);
      db.prepare("INSERT INTO _meta (name, int_val) VALUES ('version', ?)").run(version);
      db.exec('BEGIN');
    }
    this.stmt = {
      jid: this.dino.prepare('INSERT INTO jid (bare_jid) VALUES (?)'),
      message: this.dino.prepare(
        `INSERT INTO message (stanza_id, server_id, account_id, counterpart_id, our_resource,
           counterpart_resource, direction, type, time, local_time, body, encryption, marked)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      item: this.dino.prepare(
        `INSERT INTO content_item (conversation_id, time, local_time, content_type, foreign_id, hide)
         VALUES (?, ?, ?, ?, ?, 0)`,
      ),
      realJid: this.dino.prepare('INSERT INTO real_jid (message_id, real_jid) VALUES (?, ?)'),
      file: this.dino.prepare(
        `INSERT INTO file_transfer (account_id, counterpart_id, counterpart_resource, our_resource,
           direction, time, local_time, encryption, file_name, path, mime_type, size, state,
           provider, info) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
    };
  }

  close(): void {
    for (const db of [this.dino, this.omemo]) if (db.open) db.close();
  }

  add(row: ConversationsRow): void {
    const v = row.values;
    switch (row.table) {
      case 'accounts':
        return this.addAccount(v);
      case 'conversations':
        return this.addConversation(v);
      case 'messages':
        return this.addMessage(v);
      case 'prekeys':
        this.preKeys.push({ id: int(v.id) ?? 0, record: keyOf(v, 'a prekey') });
        return;
      case 'signed_prekeys':
        this.signedPreKeys.push({ id: int(v.id) ?? 0, record: keyOf(v, 'a signed prekey') });
        return;
      case 'sessions':
        this.sessions.push({
          name: bareOf(text(v.name) ?? ''),
          deviceId: int(v.device_id) ?? 0,
          record: keyOf(v, 'a session'),
        });
        return;
      case 'identities':
        this.identities.push({
          name: bareOf(text(v.name) ?? ''),
          own: int(v.ownkey) === 1,
          fingerprint: (text(v.fingerprint) ?? '').toLowerCase(),
          trust: text(v.trust),
          active: int(v.active) !== 0,
          lastActivation: int(v.last_activation),
          key: keyOf(v, 'an identity key'),
        });
        return;
    }
  }

  private addAccount(v: ConversationsRow['values']): void {
    if (this.accountId !== null)
      throw new ClientError(
        'unusable-account',
        'the source holds more than one account',
        'Export one account at a time (--account JID).',
      );
    this.accountJid = `${text(v.username)}@${text(v.server)}`.toLowerCase();
    this.accountResource = text(v.resource);
    try {
      const parsed: unknown = JSON.parse(text(v.keys) ?? '{}');
      if (parsed && typeof parsed === 'object')
        for (const [k, val] of Object.entries(parsed))
          if (val !== null) this.accountKeys[k] = String(val);
    } catch {
      // no usable keys: Dino makes a new OMEMO identity
    }
    const hostname = text(v.hostname);
    const port = int(v.port);
    if (hostname || (port !== null && port !== 5222))
      this.summary.leave(
        'server host name and port',
        'Dino 0.4 finds the server by DNS (SRV records, else the domain on port 5222)',
      );
    this.summary.carry('account (JID, resource, password)');
    if (!text(v.password))
      this.summary.note('No password was stored: Dino asks for it when it connects.');
    const info = this.dino
      .prepare(
        `INSERT INTO account (bare_jid, resourcepart, password, alias, enabled, roster_version,
           mam_earliest_synced) VALUES (?, ?, ?, ?, 1, NULL, 0)`,
      )
      .run(
        this.accountJid,
        this.accountResource ?? `dino.${randomBytes(4).toString('hex')}`,
        text(v.password),
        text(v.display_name),
      );
    this.accountId = Number(info.lastInsertRowid);
  }

  private requireAccount(): number {
    if (this.accountId === null)
      throw new ClientError(
        'unusable-account',
        'the source has no account row before its chats',
        'Make a new backup of the account and export that.',
      );
    return this.accountId;
  }

  private jidId(bare: string): number {
    let id = this.jidIds.get(bare);
    if (id === undefined) {
      id = Number(this.stmt.jid!.run(bare).lastInsertRowid);
      this.jidIds.set(bare, id);
    }
    return id;
  }

  private addConversation(v: ConversationsRow['values']): void {
    const accountId = this.requireAccount();
    const contactJid = text(v.contactJid) ?? '';
    const group = int(v.mode) === CONVERSATION_MODE.group;
    const bare = bareOf(contactJid);
    const jidId = this.jidId(bare);
    let nextEncryption: number | null = null;
    try {
      const attrs = JSON.parse(text(v.attributes) ?? '{}') as Record<string, unknown>;
      if (attrs.next_encryption !== undefined) nextEncryption = Number(attrs.next_encryption);
    } catch {
      // attributes are optional
    }
    const created = seconds(int(v.created));
    const info = this.dino
      .prepare(
        `INSERT INTO conversation (account_id, jid_id, resource, active, active_last_changed,
           last_active, type, encryption, read_up_to, read_up_to_item, notification, send_typing,
           send_marker, pinned) VALUES (?, ?, ?, ?, ?, ?, ?, 0, NULL, -1, 0, 0, 0, 0)`,
      )
      .run(
        accountId,
        jidId,
        group ? resourceOf(contactJid) : null,
        int(v.status) === CONVERSATION_STATUS.archived ? 0 : 1,
        created,
        created,
        group ? DINO.conversationType.groupchat : DINO.conversationType.chat,
      );
    this.conversations.set(text(v.uuid) ?? '', {
      id: Number(info.lastInsertRowid),
      jidId,
      bare,
      group,
      nick: group ? resourceOf(contactJid) : null,
      nextEncryption,
      lastTime: created,
      lastMessageId: null,
      lastItemId: null,
    });
  }

  private addMessage(v: ConversationsRow['values']): void {
    const accountId = this.requireAccount();
    const conversation = this.conversations.get(text(v.conversationUuid) ?? '');
    if (!conversation)
      return this.summary.leave('messages', 'of a conversation the source does not hold');
    const type = int(v.type) ?? MESSAGE_TYPE.text;
    if (int(v.deleted) === 1) return this.summary.leave('messages', 'deleted in Conversations');
    if (type === MESSAGE_TYPE.status)
      return this.summary.leave('status events', 'Dino keeps no status lines');
    if (type === MESSAGE_TYPE.call)
      return this.summary.leave('call events', 'Dino 0.4 keeps calls of its own only');
    const status = int(v.status) ?? MESSAGE_STATUS.received;
    const sent = status !== MESSAGE_STATUS.received;
    const counterpart = text(v.counterpart);
    const time = seconds(int(v.timeSent));
    const encryption = OMEMO_ENCRYPTIONS.includes(int(v.encryption) ?? MESSAGE_ENCRYPTION.none)
      ? DINO.encryption.omemo
      : int(v.encryption) === MESSAGE_ENCRYPTION.pgp
        ? DINO.encryption.pgp
        : DINO.encryption.none;
    const dinoType = conversation.group
      ? DINO.messageType.groupchat
      : type === MESSAGE_TYPE.private || type === MESSAGE_TYPE.privateFile
        ? DINO.messageType.groupchatPm
        : DINO.messageType.chat;
    const serverId = text(v.serverMsgId);
    const stanzaId = text(v.remoteMsgId) ?? (sent ? text(v.uuid) : null);
    const counterpartResource = conversation.group
      ? sent
        ? conversation.nick
        : resourceOf(counterpart)
      : resourceOf(counterpart);
    const marked = sent ? sentMark(status) : DINO.marked.read;
    const info = this.stmt.message!.run(
      stanzaId,
      serverId,
      accountId,
      conversation.jidId,
      sent ? this.accountResource : null,
      counterpartResource,
      sent ? DINO.direction.sent : DINO.direction.received,
      dinoType,
      time,
      time,
      text(v.body) ?? '',
      encryption,
      marked,
    );
    const messageId = Number(info.lastInsertRowid);
    const trueCounterpart = text(v.trueCounterpart);
    if (conversation.group && trueCounterpart)
      this.stmt.realJid!.run(messageId, bareOf(trueCounterpart));

    let itemId: number;
    if (FILE_MESSAGE_TYPES.includes(type)) {
      const fileId = this.addFile(
        v,
        conversation,
        sent,
        counterpartResource,
        time,
        encryption,
        messageId,
      );
      itemId = Number(
        this.stmt.item!.run(conversation.id, time, time, DINO.contentType.file, fileId)
          .lastInsertRowid,
      );
    } else {
      itemId = Number(
        this.stmt.item!.run(conversation.id, time, time, DINO.contentType.message, messageId)
          .lastInsertRowid,
      );
    }
    this.summary.carry(FILE_MESSAGE_TYPES.includes(type) ? 'file messages' : 'messages');
    if (time >= conversation.lastTime) conversation.lastTime = time;
    conversation.lastMessageId = messageId;
    conversation.lastItemId = itemId;
    if (serverId) {
      const archive = conversation.group ? conversation.bare : this.accountJid;
      const range = this.ranges.get(archive);
      if (!range)
        this.ranges.set(archive, {
          fromId: serverId,
          fromTime: time,
          toId: serverId,
          toTime: time,
        });
      else {
        if (time < range.fromTime) Object.assign(range, { fromId: serverId, fromTime: time });
        if (time >= range.toTime) Object.assign(range, { toId: serverId, toTime: time });
      }
    }
  }

  private addFile(
    v: ConversationsRow['values'],
    conversation: ConversationInfo,
    sent: boolean,
    counterpartResource: string | null,
    time: number,
    encryption: number,
    messageId: number,
  ): number {
    const relativeFilePath = text(v.relativeFilePath);
    const body = text(v.body) ?? '';
    const found = relativeFilePath ? (this.opts.findMedia?.(relativeFilePath) ?? null) : null;
    const nameSource = relativeFilePath ?? body.split(/[?#]/)[0] ?? '';
    let fileName = basename(nameSource.replace(/\\/g, '/')) || 'file';
    if (fileName.startsWith('.')) fileName = `_${fileName}`;
    let path: string | null = null;
    let size = -1;
    if (found) {
      path = `${randomBytes(4).toString('hex')}_${fileName}`;
      const dest = join(dinoFilesDir(this.staging), path);
      try {
        linkSync(found, dest);
      } catch {
        copyFileSync(found, dest);
      }
      size = statSync(dest).size;
      this.summary.carry("files linked into Dino's files/ folder");
    } else {
      this.summary.leave(
        'files',
        'not found on this computer (Dino offers to download them from their link)',
      );
    }
    return Number(
      this.stmt.file!.run(
        this.accountId,
        conversation.jidId,
        counterpartResource,
        sent ? this.accountResource : null,
        sent ? DINO.direction.sent : DINO.direction.received,
        time,
        time,
        encryption,
        fileName,
        path,
        MIME_BY_EXTENSION[extname(fileName).toLowerCase()] ?? null,
        size,
        found ? DINO.fileState.complete : DINO.fileState.notStarted,
        DINO.fileProvider.http,
        // The http-files plugin finds the URL to download in this message's body.
        String(messageId),
      ).lastInsertRowid,
    );
  }

  finish(): void {
    const accountId = this.requireAccount();
    const update = this.dino.prepare(
      `UPDATE conversation SET last_active = ?, active_last_changed = ?, encryption = ?,
         read_up_to = ?, read_up_to_item = ? WHERE id = ?`,
    );
    const contactsWithSessions = new Set(this.sessions.map((s) => s.name));
    for (const c of this.conversations.values()) {
      const omemo =
        c.nextEncryption !== null
          ? c.nextEncryption === 5
          : !c.group && contactsWithSessions.has(c.bare);
      update.run(
        c.lastTime,
        c.lastTime,
        omemo ? DINO.encryption.omemo : DINO.encryption.none,
        c.lastMessageId,
        c.lastItemId ?? -1,
        c.id,
      );
    }
    const catchup = this.dino.prepare(
      `INSERT INTO mam_catchup (account_id, server_jid, from_end, from_id, from_time, to_id, to_time)
       VALUES (?, ?, 0, ?, ?, ?, ?)`,
    );
    for (const [server, r] of this.ranges)
      catchup.run(accountId, server, r.fromId, r.fromTime, r.toId, r.toTime);
    this.summary.carry('conversations', this.conversations.size);
    this.summary.carry('archive positions (Dino continues catch-up after them)', this.ranges.size);
    this.writeOmemo(accountId);
    for (const db of [this.dino, this.omemo]) {
      db.exec('COMMIT');
      db.pragma('journal_mode = DELETE');
      db.close();
    }
  }

  private writeOmemo(accountId: number): void {
    const own = this.identities.find((i) => i.own);
    const deviceId = Number(this.accountKeys.axolotl_reg_id);
    if (!own || !Number.isInteger(deviceId) || deviceId <= 0) {
      if (own || this.sessions.length > 0)
        this.summary.leave(
          'OMEMO keys',
          'the account has no device id; Dino makes a new OMEMO device',
          this.sessions.length + 1,
        );
      else this.summary.note('The account had no OMEMO keys yet: Dino makes them.');
      return;
    }
    let pair: IdentityKeyPair;
    try {
      pair = decodeIdentityKeyPair(own.key);
    } catch (err) {
      throw new ClientError(
        'unusable-account',
        `the account's OMEMO identity cannot be read: ${(err as Error).message}`,
        'The source is damaged; nothing was written.',
      );
    }
    const identityId = Number(
      this.omemo
        .prepare(
          `INSERT INTO identity (account_id, device_id, identity_key_private_base64,
             identity_key_public_base64) VALUES (?, ?, ?, ?)`,
        )
        .run(accountId, deviceId, glibBase64(pair.privateKey), glibBase64(pair.publicKey))
        .lastInsertRowid,
    );
    const preKey = this.omemo.prepare(
      'INSERT INTO pre_key (identity_id, pre_key_id, record_base64) VALUES (?, ?, ?)',
    );
    for (const k of this.preKeys) preKey.run(identityId, k.id, glibBase64(k.record));
    const signed = this.omemo.prepare(
      'INSERT INTO signed_pre_key (identity_id, signed_pre_key_id, record_base64) VALUES (?, ?, ?)',
    );
    for (const k of this.signedPreKeys) signed.run(identityId, k.id, glibBase64(k.record));

    // Trust per contact and device. Conversations keys trust by fingerprint; Dino by device id,
    // which only a session tells (its remote identity key).
    const byFingerprint = new Map(
      this.identities.filter((i) => !i.own).map((i) => [`${i.name} ${i.fingerprint}`, i]),
    );
    const session = this.omemo.prepare(
      'INSERT INTO session (identity_id, name, device_id, record_base64) VALUES (?, ?, ?, ?)',
    );
    const meta = this.omemo.prepare(
      `INSERT OR REPLACE INTO identity_meta (identity_id, address_name, device_id,
         identity_key_public_base64, trust_level, now_active, last_active)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    let undecidedTrusted = 0;
    const now = Math.floor(Date.now() / 1000);
    const verifiedContacts = new Set(
      this.identities
        .filter((i) => !i.own && (i.trust === 'VERIFIED' || i.trust === 'VERIFIED_X509'))
        .map((i) => i.name),
    );
    const addresses = new Set<string>();
    let sessions = 0;
    for (const s of this.sessions) {
      if (s.name === this.accountJid && s.deviceId === deviceId) continue;
      let remote: Buffer;
      try {
        remote = sessionRemoteIdentity(s.record);
      } catch (err) {
        if (!(err instanceof RecordError)) throw err;
        this.summary.leave('OMEMO sessions', 'unreadable in the source');
        continue;
      }
      session.run(identityId, s.name, s.deviceId, glibBase64(s.record));
      sessions++;
      const identity = byFingerprint.get(`${s.name} ${fingerprintOf(remote)}`);
      const trust = identity?.trust ?? 'UNDECIDED';
      if (trust === 'UNDECIDED') undecidedTrusted++;
      meta.run(
        identityId,
        s.name,
        s.deviceId,
        glibBase64(remote),
        dinoTrustLevel(trust),
        identity?.active === false ? 0 : 1,
        identity?.lastActivation ? seconds(identity.lastActivation) || now : now,
      );
      addresses.add(s.name);
    }
    const trustRow = this.omemo.prepare(
      'INSERT INTO trust (identity_id, address_name, blind_trust) VALUES (?, ?, ?)',
    );
    for (const name of new Set([
      ...addresses,
      ...this.identities.filter((i) => !i.own).map((i) => i.name),
    ]))
      trustRow.run(identityId, name, verifiedContacts.has(name) ? 0 : 1);
    this.summary.carry('OMEMO identity (device id, identity key pair)');
    this.summary.carry('OMEMO prekeys', this.preKeys.length);
    this.summary.carry('OMEMO signed prekeys', this.signedPreKeys.length);
    this.summary.carry('OMEMO sessions', sessions);
    if (undecidedTrusted > 0)
      this.summary.note(
        `${undecidedTrusted} device(s) Conversations had left undecided are trusted in Dino, which hides messages from undecided devices; check them under the contact's encryption settings.`,
      );
  }
}

/** The `key` column of an OMEMO row, as bytes; a damaged one stops the export (nothing written). */
function keyOf(v: ConversationsRow['values'], what: string): Buffer {
  try {
    return fromBase64(text(v.key) ?? '');
  } catch {
    throw new ClientError(
      'unusable-account',
      `${what} of the account is damaged (its key column is not base64)`,
      'The source is damaged; nothing was written. Make a new backup on the old device.',
    );
  }
}

function sentMark(status: number): number {
  switch (status) {
    case MESSAGE_STATUS.sentReceived:
      return DINO.marked.received;
    case MESSAGE_STATUS.sentDisplayed:
      return DINO.marked.read;
    case MESSAGE_STATUS.sendFailed:
      return DINO.marked.error;
    case MESSAGE_STATUS.unsent:
    case MESSAGE_STATUS.waiting:
      return DINO.marked.unsent;
    default:
      return DINO.marked.sent;
  }
}
