-- omemo.db as created by Debian dino-im 0.4.2 on first start
CREATE TABLE _meta ( name TEXT PRIMARY KEY, int_val INTEGER, text_val TEXT);
CREATE TABLE identity_meta ( identity_id INTEGER NOT NULL DEFAULT -1, address_name TEXT NOT NULL, device_id INTEGER NOT NULL, identity_key_public_base64 TEXT, trust_level INTEGER DEFAULT 3, now_active INTEGER DEFAULT 1, last_active INTEGER, last_message_untrusted INTEGER, last_message_undecryptable INTEGER);
CREATE TABLE trust ( identity_id INTEGER NOT NULL, address_name TEXT, blind_trust INTEGER DEFAULT 1);
CREATE TABLE identity ( id INTEGER PRIMARY KEY AUTOINCREMENT, account_id INTEGER NOT NULL UNIQUE, device_id INTEGER NOT NULL, identity_key_private_base64 TEXT NOT NULL, identity_key_public_base64 TEXT NOT NULL);
CREATE TABLE sqlite_sequence(name,seq);
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
INSERT INTO _meta VALUES('version',5,NULL);
