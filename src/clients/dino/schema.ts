/**
 * Dino's two databases as Debian's dino-im 0.4.2 creates them on first start: `dino.db` (schema
 * version 26, libdino/src/service/database.vala) and `omemo.db` (version 5,
 * plugins/omemo/src/logic/database.vala). Qlite (Dino's SQLite wrapper) writes these statements
 * itself; the text here is what `sqlite3 .schema` shows for a home made by the real program
 * (test-data/dino/*.sql, compared by schema.test.ts). A database at the version Dino expects is
 * opened as it is; newer Dinos upgrade older versions themselves.
 */

/** `_meta.version` of dino.db in Dino 0.4.2. */
export const DINO_DB_VERSION = 26;
/** `_meta.version` of omemo.db in Dino 0.4.2. */
export const OMEMO_DB_VERSION = 5;

export const DINO_DB_DDL = `
CREATE TABLE _meta ( name TEXT PRIMARY KEY, int_val INTEGER, text_val TEXT);
CREATE TABLE account ( id INTEGER PRIMARY KEY AUTOINCREMENT, bare_jid TEXT NOT NULL UNIQUE, resourcepart TEXT, password TEXT, alias TEXT, enabled INTEGER, roster_version TEXT, mam_earliest_synced INTEGER);
CREATE TABLE jid ( id INTEGER PRIMARY KEY AUTOINCREMENT, bare_jid TEXT NOT NULL UNIQUE);
CREATE TABLE entity ( id INTEGER PRIMARY KEY AUTOINCREMENT, account_id INTEGER, jid_id INTEGER, resource TEXT, caps_hash TEXT, last_seen INTEGER, UNIQUE (account_id, jid_id, resource) ON CONFLICT IGNORE);
CREATE TABLE content_item ( id INTEGER PRIMARY KEY AUTOINCREMENT, conversation_id INTEGER NOT NULL, time INTEGER NOT NULL, local_time INTEGER NOT NULL, content_type INTEGER NOT NULL, foreign_id INTEGER NOT NULL, hide INTEGER NOT NULL DEFAULT 0, UNIQUE (content_type, foreign_id) ON CONFLICT IGNORE);
CREATE TABLE message ( id INTEGER PRIMARY KEY AUTOINCREMENT, stanza_id TEXT, server_id TEXT, account_id INTEGER NOT NULL, counterpart_id INTEGER NOT NULL, our_resource TEXT, counterpart_resource TEXT, direction INTEGER NOT NULL, type INTEGER, time INTEGER, local_time INTEGER, body TEXT, encryption INTEGER, marked INTEGER);
CREATE VIRTUAL TABLE _fts_message USING fts4(tokenize=unicode61, content="message", body TEXT);
CREATE TABLE body_meta ( id INTEGER PRIMARY KEY AUTOINCREMENT, message_id INTEGER, from_char INTEGER, to_char INTEGER, info_type TEXT, info TEXT);
CREATE TABLE message_correction ( id INTEGER PRIMARY KEY AUTOINCREMENT, message_id INTEGER UNIQUE, to_stanza_id TEXT);
CREATE TABLE reply ( id INTEGER PRIMARY KEY AUTOINCREMENT, message_id INTEGER NOT NULL UNIQUE, quoted_message_id INTEGER, quoted_message_stanza_id TEXT, quoted_message_from TEXT);
CREATE TABLE real_jid ( message_id INTEGER PRIMARY KEY, real_jid TEXT);
CREATE TABLE occupant_id ( id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL, last_nick TEXT, jid_id INTEGER, occupant_id TEXT, UNIQUE (account_id, jid_id, occupant_id) ON CONFLICT REPLACE);
CREATE TABLE file_transfer ( id INTEGER PRIMARY KEY AUTOINCREMENT, account_id INTEGER NOT NULL, counterpart_id INTEGER NOT NULL, counterpart_resource TEXT, our_resource TEXT, direction INTEGER NOT NULL, time INTEGER, local_time INTEGER, encryption INTEGER, file_name TEXT, path TEXT, mime_type TEXT, size INTEGER, state INTEGER, provider INTEGER, info TEXT);
CREATE TABLE call ( id INTEGER PRIMARY KEY AUTOINCREMENT, account_id INTEGER NOT NULL, counterpart_id INTEGER NOT NULL, counterpart_resource TEXT, our_resource TEXT, direction INTEGER NOT NULL, time INTEGER NOT NULL, local_time INTEGER NOT NULL, end_time INTEGER, encryption INTEGER, state INTEGER);
CREATE TABLE call_counterpart ( call_id INTEGER NOT NULL, jid_id INTEGER NOT NULL, resource TEXT);
CREATE TABLE conversation ( id INTEGER PRIMARY KEY AUTOINCREMENT, account_id INTEGER NOT NULL, jid_id INTEGER NOT NULL, resource TEXT, active INTEGER, active_last_changed INTEGER NOT NULL DEFAULT 0, last_active INTEGER, type INTEGER, encryption INTEGER, read_up_to INTEGER, read_up_to_item INTEGER NOT NULL DEFAULT -1, notification INTEGER, send_typing INTEGER, send_marker INTEGER, pinned INTEGER DEFAULT 0);
CREATE TABLE contact_avatar ( jid_id INTEGER, account_id INTEGER, hash TEXT, type INTEGER, UNIQUE (jid_id, account_id, type) ON CONFLICT REPLACE);
CREATE TABLE entity_identity ( entity TEXT, category TEXT, name TEXT, type TEXT, UNIQUE (entity, category, type) ON CONFLICT IGNORE);
CREATE TABLE entity_feature ( entity TEXT, feature TEXT, UNIQUE (entity, feature) ON CONFLICT IGNORE);
CREATE TABLE roster ( account_id INTEGER, jid TEXT, name TEXT, subscription TEXT, UNIQUE (account_id, jid) ON CONFLICT IGNORE);
CREATE TABLE mam_catchup ( id INTEGER PRIMARY KEY AUTOINCREMENT, account_id INTEGER NOT NULL, server_jid TEXT NOT NULL, from_end INTEGER NOT NULL, from_id TEXT NOT NULL, from_time INTEGER NOT NULL, to_id TEXT NOT NULL, to_time INTEGER NOT NULL);
CREATE TABLE reaction ( id INTEGER PRIMARY KEY AUTOINCREMENT, account_id INTEGER NOT NULL, occupant_id INTEGER, content_item_id INTEGER NOT NULL, time INTEGER NOT NULL, jid_id INTEGER, emojis TEXT, UNIQUE (account_id, content_item_id, jid_id) ON CONFLICT REPLACE, UNIQUE (account_id, content_item_id, occupant_id) ON CONFLICT REPLACE);
CREATE TABLE settings ( id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE, value TEXT);
CREATE TABLE conversation_settings ( id INTEGER PRIMARY KEY AUTOINCREMENT, conversation_id INTEGER NOT NULL, key TEXT NOT NULL, value TEXT);
CREATE INDEX contentitem_conversation_hide_time_idx ON content_item (conversation_id, hide, time);
CREATE INDEX message_account_counterpart_time_idx ON message (account_id, counterpart_id, time);
CREATE INDEX message_account_counterpart_stanzaid_idx ON message (account_id, counterpart_id, stanza_id);
CREATE INDEX message_account_counterpart_serverid_idx ON message (account_id, counterpart_id, server_id);
CREATE INDEX message_account_marked_idx ON message (account_id, marked);
CREATE TRIGGER _fts_bu_message BEFORE UPDATE ON message BEGIN DELETE FROM _fts_message WHERE docid=old.rowid; END;
CREATE TRIGGER _fts_bd_message BEFORE DELETE ON message BEGIN DELETE FROM _fts_message WHERE docid=old.rowid; END;
CREATE TRIGGER _fts_au_message AFTER UPDATE ON message BEGIN INSERT INTO _fts_message(docid, body) VALUES(new.rowid, new.body); END;
CREATE TRIGGER _fts_ai_message AFTER INSERT ON message BEGIN INSERT INTO _fts_message(docid, body) VALUES(new.rowid, new.body); END;
CREATE INDEX message_correction_to_stanza_id_idx ON message_correction (to_stanza_id);
CREATE INDEX reply_quoted_message_stanza_id ON reply (quoted_message_stanza_id);
CREATE INDEX call_counterpart_call_jid_idx ON call_counterpart (call_id);
CREATE INDEX entity_identity_idx ON entity_identity (entity);
CREATE INDEX entity_feature_idx ON entity_feature (entity);
CREATE UNIQUE INDEX settings_conversationid_key ON conversation_settings (conversation_id, key);
`;

export const OMEMO_DB_DDL = `
CREATE TABLE _meta ( name TEXT PRIMARY KEY, int_val INTEGER, text_val TEXT);
CREATE TABLE identity_meta ( identity_id INTEGER NOT NULL DEFAULT -1, address_name TEXT NOT NULL, device_id INTEGER NOT NULL, identity_key_public_base64 TEXT, trust_level INTEGER DEFAULT 3, now_active INTEGER DEFAULT 1, last_active INTEGER, last_message_untrusted INTEGER, last_message_undecryptable INTEGER);
CREATE TABLE trust ( identity_id INTEGER NOT NULL, address_name TEXT, blind_trust INTEGER DEFAULT 1);
CREATE TABLE identity ( id INTEGER PRIMARY KEY AUTOINCREMENT, account_id INTEGER NOT NULL UNIQUE, device_id INTEGER NOT NULL, identity_key_private_base64 TEXT NOT NULL, identity_key_public_base64 TEXT NOT NULL);
CREATE TABLE signed_pre_key ( identity_id INTEGER NOT NULL, signed_pre_key_id INTEGER NOT NULL, record_base64 TEXT NOT NULL, UNIQUE (identity_id, signed_pre_key_id));
CREATE TABLE pre_key ( identity_id INTEGER NOT NULL, pre_key_id INTEGER NOT NULL, record_base64 TEXT NOT NULL, UNIQUE (identity_id, pre_key_id));
CREATE TABLE session ( identity_id INTEGER NOT NULL, name TEXT NOT NULL, device_id INTEGER NOT NULL, record_base64 TEXT NOT NULL, UNIQUE (identity_id, name, device_id));
CREATE TABLE content_item_meta ( message_id INTEGER PRIMARY KEY, identity_id INTEGER NOT NULL, address_name TEXT NOT NULL, device_id INTEGER NOT NULL, trusted_when_received INTEGER NOT NULL DEFAULT 1);
CREATE UNIQUE INDEX identity_meta_idx ON identity_meta (identity_id, address_name, device_id);
CREATE INDEX identity_meta_list_idx ON identity_meta (identity_id, address_name);
CREATE UNIQUE INDEX trust_idx ON trust (identity_id, address_name);
CREATE UNIQUE INDEX signed_pre_key_idx ON signed_pre_key (identity_id, signed_pre_key_id);
CREATE UNIQUE INDEX pre_key_idx ON pre_key (identity_id, pre_key_id);
CREATE UNIQUE INDEX session_idx ON session (identity_id, name, device_id);
CREATE INDEX content_item_meta_device_idx ON content_item_meta (identity_id, device_id, address_name);
`;

/** Dino's enums as stored (libdino/src/entity/*.vala, plugins/omemo/src/trust_level.vala). */
export const DINO = {
  /** `message.direction` (Message.DIRECTION_SENT is true). */
  direction: { received: 0, sent: 1 },
  /** `message.type` (Message.Type). */
  messageType: { error: 0, chat: 1, groupchat: 2, groupchatPm: 3 },
  /** `message.marked` (Message.Marked). */
  marked: {
    none: 0,
    received: 1,
    read: 2,
    acknowledged: 3,
    unsent: 4,
    wontsend: 5,
    sending: 6,
    sent: 7,
    error: 8,
  },
  /** `encryption` columns (Entities.Encryption). */
  encryption: { none: 0, pgp: 1, omemo: 2 },
  /** `conversation.type` (Conversation.Type). */
  conversationType: { chat: 0, groupchat: 1, groupchatPm: 2 },
  /** `content_item.content_type`. */
  contentType: { message: 1, file: 2, call: 3 },
  /** `file_transfer.state` (FileTransfer.State). */
  fileState: { complete: 0, inProgress: 1, notStarted: 2, failed: 3 },
  /** `file_transfer.provider`: 0 is the http-files plugin (HTTP upload / OOB URLs). */
  fileProvider: { http: 0, jingle: 1 },
  /** `identity_meta.trust_level` (TrustLevel). */
  trust: { verified: 0, trusted: 1, untrusted: 2, unknown: 3 },
} as const;
