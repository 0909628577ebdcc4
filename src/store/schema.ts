/**
 * Conversations' tables, with Conversations' column types, so that SQLite's type affinity converts
 * imported values exactly as Conversations' own database does (see test-data/ceb/README.md).
 * Column order is Conversations' order; a backup may add columns ferry doesn't know, which the
 * store adds on import instead of dropping them.
 */
export const CONVERSATIONS_TABLES_DDL = `
CREATE TABLE IF NOT EXISTS accounts (uuid TEXT PRIMARY KEY, username TEXT, server TEXT, password TEXT,
  display_name TEXT, status TEXT, status_message TEXT, rosterversion TEXT, options NUMBER, avatar TEXT,
  keys TEXT, hostname TEXT, resource TEXT, pinned_mechanism TEXT, pinned_channel_binding TEXT,
  fast_mechanism TEXT, fast_token TEXT, port NUMBER DEFAULT 5222);
CREATE TABLE IF NOT EXISTS conversations (uuid TEXT PRIMARY KEY, name TEXT, contactUuid TEXT,
  accountUuid TEXT, contactJid TEXT, created NUMBER, status NUMBER, mode NUMBER, attributes TEXT,
  FOREIGN KEY(accountUuid) REFERENCES accounts(uuid) ON DELETE CASCADE);
CREATE TABLE IF NOT EXISTS messages (uuid TEXT PRIMARY KEY, conversationUuid TEXT, timeSent NUMBER,
  counterpart TEXT, trueCounterpart TEXT, body TEXT, encryption NUMBER, status NUMBER, type NUMBER,
  relativeFilePath TEXT, serverMsgId TEXT, axolotl_fingerprint TEXT, carbon INTEGER, edited TEXT,
  read NUMBER DEFAULT 1, oob INTEGER, errorMsg TEXT, readByMarkers TEXT, markable NUMBER DEFAULT 0,
  deleted NUMBER DEFAULT 0, bodyLanguage TEXT, remoteMsgId TEXT, occupantId TEXT, reactions TEXT,
  FOREIGN KEY(conversationUuid) REFERENCES conversations(uuid) ON DELETE CASCADE);
CREATE TABLE IF NOT EXISTS prekeys (account TEXT, id INTEGER, key TEXT,
  FOREIGN KEY(account) REFERENCES accounts(uuid) ON DELETE CASCADE,
  UNIQUE(account, id) ON CONFLICT REPLACE);
CREATE TABLE IF NOT EXISTS signed_prekeys (account TEXT, id INTEGER, key TEXT,
  FOREIGN KEY(account) REFERENCES accounts(uuid) ON DELETE CASCADE,
  UNIQUE(account, id) ON CONFLICT REPLACE);
CREATE TABLE IF NOT EXISTS sessions (account TEXT, name TEXT, device_id INTEGER, key TEXT,
  FOREIGN KEY(account) REFERENCES accounts(uuid) ON DELETE CASCADE,
  UNIQUE(account, name, device_id) ON CONFLICT REPLACE);
CREATE TABLE IF NOT EXISTS identities (account TEXT, name TEXT, ownkey INTEGER, fingerprint TEXT,
  certificate BLOB, trust TEXT, active NUMBER, last_activation NUMBER, key TEXT,
  FOREIGN KEY(account) REFERENCES accounts(uuid) ON DELETE CASCADE,
  UNIQUE(account, name, fingerprint) ON CONFLICT IGNORE);
CREATE INDEX IF NOT EXISTS messages_conversation_time ON messages(conversationUuid, timeSent);
`;
