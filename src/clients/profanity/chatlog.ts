import Database from '../../store/sqlite.js';

/**
 * profanity's chat log database (`database/<account>/chatlog.db`), as 0.13 creates it
 * (src/database.c, `log_database_init`): one `ChatLogs` row per message, bare JIDs and resources
 * apart, the text as shown, a timestamp in ISO 8601, `type` chat | muc | mucpm, `stanza_id` (the
 * message's id attribute), `archive_id` (the server's XEP-0359 stanza-id, by which profanity's
 * MAM catch-up skips what it has: `INSERT … WHERE NOT EXISTS (… archive_id = ?)`), `replace_id`
 * (XEP-0308 correction of that stanza id) and `encryption` none | omemo | otr | pgp | ox.
 */
export const CHATLOG_DDL = [
  'CREATE TABLE IF NOT EXISTS `ChatLogs` ( `id` INTEGER PRIMARY KEY AUTOINCREMENT, `from_jid` TEXT NOT NULL, `to_jid` TEXT NOT NULL, `from_resource` TEXT, `to_resource` TEXT, `message` TEXT, `timestamp` TEXT, `type` TEXT, `stanza_id` TEXT, `archive_id` TEXT, `replace_id` TEXT, `encryption` TEXT, `marked_read` INTEGER)',
  'CREATE TABLE IF NOT EXISTS `DbVersion` ( `dv_id` INTEGER PRIMARY KEY, `version` INTEGER UNIQUE)',
  "INSERT OR IGNORE INTO `DbVersion` (`version`) VALUES('1')",
];

export type ChatLogType = 'chat' | 'muc' | 'mucpm';
export type ChatLogEncryption = 'none' | 'omemo' | 'otr' | 'pgp' | 'ox';

export interface ChatLogRow {
  id?: number;
  from_jid: string;
  to_jid: string;
  from_resource: string;
  to_resource: string;
  message: string;
  timestamp: string;
  type: ChatLogType;
  stanza_id: string;
  archive_id: string;
  replace_id: string;
  encryption: ChatLogEncryption;
  marked_read: number | null;
}

/**
 * A timestamp the way profanity writes one (`g_date_time_format_iso8601`): seconds, then the
 * microseconds, then `Z` for UTC — `2026-12-01T20:48:57.425000Z`. Written in UTC always, so that
 * profanity's `ORDER BY timestamp` (text order) is time order.
 */
export function formatTimestamp(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2026-12-01T20:48:57.425Z
  return `${iso.slice(0, 23)}000Z`;
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * Reads a timestamp profanity wrote: ISO 8601 with a zone (`Z` or `+01:00`), microseconds
 * optional; without a zone, UTC. Returns milliseconds, or undefined when it is not one.
 */
export function parseTimestamp(text: string): number | undefined {
  const m = ISO.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const ms = frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0;
  let t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  if (zone && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offset = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0');
    t -= sign * offset * 60_000;
  }
  return Number.isNaN(t) ? undefined : t;
}

/** Creates the chat log database at `path` (must not exist), private (0600). */
export function createChatLog(path: string): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = DELETE');
  for (const sql of CHATLOG_DDL) db.exec(sql);
  return db;
}

const INSERT =
  'INSERT INTO `ChatLogs` (`from_jid`, `from_resource`, `to_jid`, `to_resource`, `message`, `timestamp`, `stanza_id`, `archive_id`, `replace_id`, `type`, `encryption`, `marked_read`) ' +
  'VALUES (@from_jid, @from_resource, @to_jid, @to_resource, @message, @timestamp, @stanza_id, @archive_id, @replace_id, @type, @encryption, @marked_read)';

export function chatLogInserter(db: Database.Database): (row: ChatLogRow) => void {
  const stmt = db.prepare(INSERT);
  return (row) => {
    stmt.run(row);
  };
}

/** Whether `db` has profanity's `ChatLogs` table with the columns ferry reads. */
export function checkChatLogSchema(db: Database.Database): string | undefined {
  const cols = (db.prepare('PRAGMA table_info(ChatLogs)').all() as { name: string }[]).map(
    (c) => c.name,
  );
  if (cols.length === 0) return 'it has no ChatLogs table';
  const needed = ['from_jid', 'to_jid', 'from_resource', 'message', 'timestamp', 'type'];
  const missing = needed.filter((c) => !cols.includes(c));
  return missing.length > 0 ? `its ChatLogs table lacks ${missing.join(', ')}` : undefined;
}
