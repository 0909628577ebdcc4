import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  rmdirSync,
  statSync,
} from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { syncFileNow as syncFile, syncFolderNow as syncFolder } from '../../format/durable.js';
import { DinoHomeError } from './errors.js';
import { dinoDataDir, dinoDbPath, dinoFilesDir, omemoDbPath } from './layout.js';
import { DINO, DINO_DB_DDL, DINO_DB_VERSION, OMEMO_DB_DDL, OMEMO_DB_VERSION } from './schema.js';
import {
  decodeIdentityKeyPair,
  fingerprintHex,
  sessionRemoteIdentity,
  type IdentityKeyPair,
} from './signal-records.js';
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

export interface DinoExportOptions {
  /** Finds a file message's file on this computer (media companion, `--media`); null if absent. */
  findMedia?(relativeFilePath: string): string | null;
}

/** What went into the Dino home, and what could not (said in the command's summary). */
export interface DinoExportSummary {
  home: string;
  account: string;
  conversations: number;
  messages: number;
  files: { linked: number; withoutFile: number };
  omemo: {
    carried: boolean;
    deviceId: number | null;
    fingerprint: string | null;
    preKeys: number;
    signedPreKeys: number;
    sessions: number;
    /** Contacts' devices Conversations had left undecided, trusted in Dino (it has no "undecided"). */
    undecidedTrusted: number;
  };
  /** Rows left out, by reason (status lines, calls, deleted messages). */
  skipped: Record<string, number>;
  /** Account settings Dino has no place for. */
  notCarried: string[];
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

const FILE_TYPES = new Set([1, 2, 5]); // Conversations' image, file, private file
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

function folderIsEmpty(dir: string): boolean {
  return readdirSync(dir).length === 0;
}

/**
 * Checks the target before anything is read: a home folder that doesn't exist yet, or an empty
 * one. An existing Dino home is never merged into or overwritten.
 */
export function checkDinoTarget(home: string): void {
  const target = resolve(home);
  if (!existsSync(target)) return;
  if (!statSync(target).isDirectory())
    throw new DinoHomeError(
      `${home} is not a folder`,
      'Give --out a new folder; ferry writes a whole Dino home into it.',
    );
  if (!folderIsEmpty(target))
    throw new DinoHomeError(
      existsSync(dinoDataDir(target))
        ? `${home} already holds a Dino home; ferry never writes into an existing one`
        : `${home} is not empty`,
      'Give --out a new or empty folder, then start Dino with HOME set to it.',
    );
}

/**
 * Writes a Dino 0.4 home folder (`HOME=DIR dino`) from one account's Conversations rows — as a
 * backup file or the profile holds them: the account, one-to-one and group conversations, the
 * history with Dino's ids (`stanza_id`, `server_id`, and `mam_catchup` ranges so Dino's own archive
 * catch-up continues after the newest carried message instead of duplicating), file messages as
 * file transfers (with the file linked into `files/` when `findMedia` finds it), and the OMEMO
 * identity, prekeys, signed prekeys, sessions and trust. The home appears complete or not at all:
 * it is written beside the target and renamed into place.
 */
export async function writeDinoHome(
  home: string,
  rows: AsyncIterable<ConversationsRow> | Iterable<ConversationsRow>,
  opts: DinoExportOptions = {},
): Promise<DinoExportSummary> {
  const target = resolve(home);
  checkDinoTarget(target);
  mkdirSync(dirname(target), { recursive: true });
  const staging = `${target}.ferry-partial-${randomBytes(4).toString('hex')}`;
  mkdirSync(dinoFilesDir(staging), { recursive: true, mode: 0o700 });
  for (const d of [staging, join(staging, '.local'), join(staging, '.local', 'share')])
    chmodSync(d, 0o700);
  chmodSync(dinoDataDir(staging), 0o700);
  let writer: HomeWriter | undefined;
  try {
    writer = new HomeWriter(staging, opts);
    for await (const row of rows) writer.add(row);
    const summary = writer.finish();
    writer = undefined;
    for (const f of [dinoDbPath(staging), omemoDbPath(staging)]) {
      chmodSync(f, 0o600);
      syncFile(f);
    }
    syncFolder(dinoFilesDir(staging));
    syncFolder(dinoDataDir(staging));
    checkDinoTarget(target);
    if (existsSync(target)) rmdirSync(target);
    renameSync(staging, target);
    syncFolder(dirname(target));
    return { ...summary, home: target };
  } catch (err) {
    writer?.abandon();
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
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
  private messages = 0;
  private files = { linked: 0, withoutFile: 0 };
  private readonly skipped: Record<string, number> = {};
  private readonly notCarried: string[] = [];
  private readonly stmt: Record<string, Database.Statement>;

  constructor(
    private readonly staging: string,
    private readonly opts: DinoExportOptions,
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

  abandon(): void {
    for (const db of [this.dino, this.omemo]) if (db.open) db.close();
  }

  private skip(reason: string): void {
    this.skipped[reason] = (this.skipped[reason] ?? 0) + 1;
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
        this.preKeys.push({ id: int(v.id) ?? 0, record: fromBase64(text(v.key) ?? '') });
        return;
      case 'signed_prekeys':
        this.signedPreKeys.push({ id: int(v.id) ?? 0, record: fromBase64(text(v.key) ?? '') });
        return;
      case 'sessions':
        this.sessions.push({
          name: bareOf(text(v.name) ?? ''),
          deviceId: int(v.device_id) ?? 0,
          record: fromBase64(text(v.key) ?? ''),
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
          key: fromBase64(text(v.key) ?? ''),
        });
        return;
    }
  }

  private addAccount(v: ConversationsRow['values']): void {
    if (this.accountId !== null)
      throw new DinoHomeError(
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
    if (hostname)
      this.notCarried.push(`server host name ${hostname} (Dino finds the server by DNS)`);
    if (port !== null && port !== 5222) this.notCarried.push(`port ${port}`);
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
      throw new DinoHomeError(
        'the source has no account row before its chats',
        'Check the source.',
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
    const group = int(v.mode) === 1;
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
        int(v.status) === 1 ? 0 : 1,
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
    if (!conversation) return this.skip('messages of an unknown conversation');
    const type = int(v.type) ?? 0;
    if (int(v.deleted) === 1) return this.skip('deleted messages');
    if (type === 3) return this.skip('status lines');
    if (type === 6) return this.skip('calls');
    const status = int(v.status) ?? 0;
    const sent = status !== 0;
    const counterpart = text(v.counterpart);
    const time = seconds(int(v.timeSent));
    const encryption = [3, 5, 6, 7].includes(int(v.encryption) ?? 0)
      ? DINO.encryption.omemo
      : int(v.encryption) === 1
        ? DINO.encryption.pgp
        : DINO.encryption.none;
    const dinoType = conversation.group
      ? DINO.messageType.groupchat
      : type === 4 || type === 5
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
    if (FILE_TYPES.has(type)) {
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
    this.messages++;
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
      this.files.linked++;
    } else {
      this.files.withoutFile++;
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

  finish(): Omit<DinoExportSummary, 'home'> {
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
    const omemo = this.writeOmemo(accountId);
    for (const db of [this.dino, this.omemo]) {
      db.exec('COMMIT');
      db.pragma('journal_mode = DELETE');
      db.close();
    }
    return {
      account: this.accountJid,
      conversations: this.conversations.size,
      messages: this.messages,
      files: this.files,
      omemo,
      skipped: this.skipped,
      notCarried: this.notCarried,
    };
  }

  private writeOmemo(accountId: number): DinoExportSummary['omemo'] {
    const none = {
      carried: false,
      deviceId: null,
      fingerprint: null,
      preKeys: 0,
      signedPreKeys: 0,
      sessions: 0,
      undecidedTrusted: 0,
    };
    const own = this.identities.find((i) => i.own);
    const deviceId = Number(this.accountKeys.axolotl_reg_id);
    if (!own || !Number.isInteger(deviceId) || deviceId <= 0) {
      if (own || this.sessions.length > 0)
        this.notCarried.push('OMEMO keys (no device id in the account): Dino makes a new device');
      return none;
    }
    let pair: IdentityKeyPair;
    try {
      pair = decodeIdentityKeyPair(own.key);
    } catch (err) {
      throw new DinoHomeError(
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
      const remote = sessionRemoteIdentity(s.record);
      if (!remote) {
        this.skip('OMEMO sessions without a current state');
        continue;
      }
      session.run(identityId, s.name, s.deviceId, glibBase64(s.record));
      sessions++;
      const identity = byFingerprint.get(`${s.name} ${fingerprintHex(remote)}`);
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
    return {
      carried: true,
      deviceId,
      fingerprint: fingerprintHex(pair.publicKey),
      preKeys: this.preKeys.length,
      signedPreKeys: this.signedPreKeys.length,
      sessions,
      undecidedTrusted,
    };
  }
}

function sentMark(status: number): number {
  switch (status) {
    case 7: // sent, received
      return DINO.marked.received;
    case 8: // sent, displayed
      return DINO.marked.read;
    case 3: // send failed
      return DINO.marked.error;
    case 1: // unsent
    case 5: // waiting
      return DINO.marked.unsent;
    default:
      return DINO.marked.sent;
  }
}
