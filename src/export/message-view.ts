/**
 * What a stored message means to a reader: direction, sender, the text to show, file details,
 * encryption state. Every export format renders these, never raw rows. Codes are Conversations'
 * (see docs/export-json.md and the backup facts page), by name from the store's codes.
 */
import {
  CONVERSATION_MODE,
  FILE_MESSAGE_TYPES,
  MESSAGE_ENCRYPTION,
  MESSAGE_STATUS,
  MESSAGE_TYPE,
  UNDECRYPTABLE_ENCRYPTIONS,
} from '../store/codes.js';
import type { TranscriptConversationRow, TranscriptMessageRow } from '../store/transcripts.js';

/** A `messages` row as SQLite returns it (only the columns the exports read). */
export type MessageRow = TranscriptMessageRow;

/** A `conversations` row (the columns the exports read). */
export type ConversationRow = TranscriptConversationRow;

export type Direction = 'received' | 'sent';

/** What the exports call each of Conversations' message types (docs/export-json.md). */
export const MESSAGE_TYPES = {
  [MESSAGE_TYPE.text]: 'text',
  [MESSAGE_TYPE.image]: 'image',
  [MESSAGE_TYPE.file]: 'file',
  [MESSAGE_TYPE.status]: 'status',
  [MESSAGE_TYPE.private]: 'private',
  [MESSAGE_TYPE.privateFile]: 'private-file',
  [MESSAGE_TYPE.call]: 'call',
} as const;
export type MessageType = (typeof MESSAGE_TYPES)[keyof typeof MESSAGE_TYPES] | 'unknown';

/** What the exports call each message status. */
export const MESSAGE_STATUSES: Record<number, string> = {
  [MESSAGE_STATUS.received]: 'received',
  [MESSAGE_STATUS.unsent]: 'unsent',
  [MESSAGE_STATUS.sent]: 'sent',
  [MESSAGE_STATUS.sendFailed]: 'send-failed',
  [MESSAGE_STATUS.waiting]: 'waiting',
  [MESSAGE_STATUS.offered]: 'offered',
  [MESSAGE_STATUS.sentReceived]: 'delivered',
  [MESSAGE_STATUS.sentDisplayed]: 'displayed',
};

/** What the exports call each encryption state. */
export const ENCRYPTION_STATES: Record<number, string> = {
  [MESSAGE_ENCRYPTION.none]: 'none',
  [MESSAGE_ENCRYPTION.pgp]: 'pgp',
  [MESSAGE_ENCRYPTION.otr]: 'otr',
  [MESSAGE_ENCRYPTION.decrypted]: 'pgp-decrypted',
  [MESSAGE_ENCRYPTION.decryptionFailed]: 'decryption-failed',
  [MESSAGE_ENCRYPTION.omemo]: 'omemo',
  [MESSAGE_ENCRYPTION.omemoNotForThisDevice]: 'omemo-not-for-this-device',
  [MESSAGE_ENCRYPTION.omemoFailed]: 'omemo-failed',
};

export interface FileReference {
  /** The file's name as a person would call it. */
  name: string;
  /** `relativeFilePath` as stored (relative to the app's media folder, or absolute on the phone). */
  path: string | null;
  /** Where the file was uploaded (HTTP upload), if known. */
  url: string | null;
  size: number | null;
  width: number | null;
  height: number | null;
}

export interface MessageView {
  id: string;
  /** Milliseconds since the epoch. */
  time: number;
  direction: Direction;
  /** Nickname in a group chat (sent or received); null in one-to-one chats. */
  nick: string | null;
  /** Who wrote it: the nickname in group chats, else the bare JID (the account's own when sent). */
  sender: string;
  /** Real JID of a group chat participant when the room revealed it. */
  senderJid: string | null;
  /** The stored body, exactly. */
  body: string | null;
  /** What to show for the message in a transcript (files as their URL or name, calls described). */
  text: string;
  type: MessageType;
  typeCode: number;
  status: string;
  statusCode: number;
  encryption: string;
  encryptionCode: number;
  /** True when the content could not be decrypted (encryption 4, 6, 7) and the body is not readable. */
  undecryptable: boolean;
  edited: boolean;
  deleted: boolean;
  file: FileReference | null;
  serverId: string | null;
  remoteId: string | null;
}

export function toInt(value: number | bigint | string | null | undefined, fallback = 0): number {
  if (value === null || value === undefined) return fallback;
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : fallback;
  if (typeof value === 'bigint') return Number(value);
  const n = Number(value.trim());
  return Number.isFinite(n) && value.trim() !== '' ? Math.trunc(n) : fallback;
}

export function bodyText(body: MessageRow['body']): string | null {
  if (body === null) return null;
  return typeof body === 'string' ? body : String(body);
}

/** The bare part of a JID (before `/`). */
export function bareJid(jid: string): string {
  const slash = jid.indexOf('/');
  return slash < 0 ? jid : jid.slice(0, slash);
}

/** The resource part of a JID (after the first `/`), or '' if none. */
export function jidResource(jid: string): string {
  const slash = jid.indexOf('/');
  return slash < 0 ? '' : jid.slice(slash + 1);
}

export function isGroupConversation(c: ConversationRow): boolean {
  return toInt(c.mode) === CONVERSATION_MODE.group;
}

/** The name shown for a conversation: its stored name, else the contact's or room's JID. */
export function conversationTitle(c: ConversationRow): string {
  const name = c.name?.trim();
  if (name) return name;
  return c.contactJid ? bareJid(c.contactJid) : '(unknown)';
}

/** Parses a file message's body (`url|size|width|height|runtime`, or the other shapes Conversations stores). */
export function parseFileBody(body: string | null): {
  url: string | null;
  size: number | null;
  width: number | null;
  height: number | null;
} {
  const out = {
    url: null as string | null,
    size: null as number | null,
    width: null as number | null,
    height: null as number | null,
  };
  if (body === null || body === '') return out;
  const parts = body.split('|');
  const num = (s: string | undefined): number | null => {
    if (s === undefined || !/^\d+$/.test(s)) return null;
    return Number(s);
  };
  if (parts.length === 1) {
    const size = num(parts[0]);
    if (size === null) out.url = parts[0] ?? null;
    else out.size = size;
  } else if (parts.length === 3) {
    out.size = num(parts[0]);
    out.width = num(parts[1]);
    out.height = num(parts[2]);
  } else {
    out.url = parts[0] ?? null;
    out.size = num(parts[1]);
    if (parts.length >= 4) {
      out.width = num(parts[2]);
      out.height = num(parts[3]);
    }
  }
  if (out.url !== null && !/^[a-z][a-z0-9+.-]*:/i.test(out.url)) out.url = null;
  return out;
}

function lastSegment(path: string): string {
  const trimmed = path.replace(/[/\\]+$/, '');
  const i = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'));
  return i < 0 ? trimmed : trimmed.slice(i + 1);
}

function fileNameFromUrl(url: string): string | null {
  try {
    const u = new URL(url);
    const seg = lastSegment(u.pathname);
    if (!seg) return null;
    try {
      return decodeURIComponent(seg);
    } catch {
      return seg;
    }
  } catch {
    return null;
  }
}

export function fileReference(row: MessageRow, typeCode: number): FileReference | null {
  if (!FILE_MESSAGE_TYPES.includes(typeCode)) return null;
  const body = bodyText(row.body);
  const parsed = parseFileBody(body);
  const path = row.relativeFilePath && row.relativeFilePath !== '' ? row.relativeFilePath : null;
  const name =
    (path ? lastSegment(path) : null) ||
    (parsed.url ? fileNameFromUrl(parsed.url) : null) ||
    (typeCode === MESSAGE_TYPE.image ? 'image' : 'file');
  return { name, path, url: parsed.url, ...sizeFields(parsed) };
}

function sizeFields(p: ReturnType<typeof parseFileBody>) {
  return { size: p.size, width: p.width, height: p.height };
}

/** Conversations' call record body: `true:DURATION_MS` or `false:…`. */
export function describeCall(body: string | null, direction: Direction): string {
  const [made, durationText] = (body ?? '').split(':', 2);
  const successful = (made ?? '').toLowerCase() === 'true';
  if (!successful) return 'Missed call';
  const duration = durationText && /^\d+$/.test(durationText) ? Number(durationText) : 0;
  const kind = direction === 'received' ? 'Incoming call' : 'Outgoing call';
  return duration <= 0 ? kind : `${kind}. Duration ${Math.floor(duration / 1000)} seconds`;
}

function hasEdits(edited: string | null): boolean {
  if (edited === null) return false;
  const t = edited.trim();
  return t !== '' && t !== '[]' && t !== 'null' && t !== '0';
}

/** Turns a stored message into what the exports show. */
export function viewMessage(
  row: MessageRow,
  conversation: { group: boolean; accountJid: string },
): MessageView {
  const statusCode = toInt(row.status);
  const typeCode = toInt(row.type);
  const encryptionCode = toInt(row.encryption);
  const direction: Direction = statusCode === MESSAGE_STATUS.received ? 'received' : 'sent';
  const counterpart = row.counterpart ?? '';
  const nick = conversation.group ? jidResource(counterpart) : null;
  const sender = conversation.group
    ? nick || bareJid(counterpart)
    : direction === 'received'
      ? bareJid(counterpart)
      : conversation.accountJid;
  const senderJid = conversation.group
    ? row.trueCounterpart
      ? bareJid(row.trueCounterpart)
      : null
    : direction === 'received'
      ? bareJid(counterpart)
      : conversation.accountJid;
  const body = bodyText(row.body);
  const undecryptable = UNDECRYPTABLE_ENCRYPTIONS.includes(encryptionCode);
  const file = fileReference(row, typeCode);
  let text: string;
  if (undecryptable) text = '[unable to decrypt]';
  else if (typeCode === MESSAGE_TYPE.call) text = describeCall(body, direction);
  else if (file) text = file.url ?? `[file: ${file.name}]`;
  else text = body ?? '';
  return {
    id: row.uuid,
    time: toInt(row.timeSent),
    direction,
    nick: nick === null ? null : nick,
    sender,
    senderJid,
    body,
    text,
    type: (MESSAGE_TYPES as Record<number, MessageType>)[typeCode] ?? 'unknown',
    typeCode,
    status: MESSAGE_STATUSES[statusCode] ?? 'unknown',
    statusCode,
    encryption: ENCRYPTION_STATES[encryptionCode] ?? 'unknown',
    encryptionCode,
    undecryptable,
    edited: hasEdits(row.edited),
    deleted: toInt(row.deleted) !== 0,
    file,
    serverId: row.serverMsgId,
    remoteId: row.remoteMsgId,
  };
}
