import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from '../../store/sqlite.js';
import {
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
  mkdirSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackupRow } from '@ferry/ceb-format/header';
import { dinoDbPath, omemoDbPath } from './layout.js';
import { writeDinoData } from './write-home.js';
import { readDinoHome } from './read-home.js';
import { TransferSummary } from '../summary.js';
import { StagedFolder } from '../target-folder.js';
import { ClientError } from '../errors.js';

/** Writes a Dino home the way `ferry export --to dino` does: staged, then moved into place. */
function writeHome(home: string, rows: BackupRow[] | Iterable<BackupRow>): TransferSummary {
  const summary = new TransferSummary();
  const folder = StagedFolder.create(home);
  try {
    writeDinoData(folder.dir, rows, summary);
    folder.commit();
  } finally {
    folder.abort();
  }
  return summary;
}

/** Alice's rows of the OMEMO fixture (test-data/omemo, made with libsignal-protocol-java). */
function aliceRows(): BackupRow[] {
  return readFileSync('test-data/omemo/alice-rows.jsonl', 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as BackupRow);
}

function scratch(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-dino-w-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The schema a database file holds, as (type, name, sql) rows. */
function schemaOf(db: Database.Database): string[] {
  return (
    db
      .prepare(
        "SELECT type, name, sql FROM sqlite_master WHERE name != 'sqlite_sequence' ORDER BY name",
      )
      .all() as { type: string; name: string; sql: string | null }[]
  ).map((r) => `${r.type} ${r.name}: ${r.sql ?? ''}`);
}

/** The schema of the database the real Dino 0.4.2 created (its `.schema` dump in test-data/dino). */
function realDinoSchema(file: string): string[] {
  const db = new Database(':memory:');
  const statements = readFileSync(file, 'utf8')
    .split(';\n')
    .map((s) => s.replace(/^--.*$/gm, '').trim())
    .filter(
      (s) =>
        s !== '' &&
        !s.startsWith('CREATE TABLE sqlite_sequence') &&
        !s.includes("'_fts_message_") &&
        !s.startsWith('INSERT'),
    );
  for (const s of statements) db.exec(s);
  const schema = schemaOf(db);
  db.close();
  return schema;
}

test('the Dino home has the tables and indexes the real Dino 0.4.2 creates, at its versions', (t) => {
  const home = join(scratch(t), 'home');
  writeHome(home, aliceRows());
  for (const [file, dump, version] of [
    [dinoDbPath(home), 'test-data/dino/dino-0.4.2-dino.db.sql', 26],
    [omemoDbPath(home), 'test-data/dino/dino-0.4.2-omemo.db.sql', 5],
  ] as const) {
    const db = new Database(file, { readonly: true });
    assert.deepEqual(schemaOf(db), realDinoSchema(dump));
    assert.equal(
      db.prepare("SELECT int_val FROM _meta WHERE name = 'version'").pluck().get(),
      version,
    );
    db.close();
    assert.equal(statSync(file).mode & 0o777, 0o600, 'the database holds the password and keys');
  }
});

test('the account, the chat and its history go into dino.db as Dino stores them', async (t) => {
  const home = join(scratch(t), 'home');
  const summary = writeHome(home, aliceRows());
  const db = new Database(dinoDbPath(home), { readonly: true });
  const account = db.prepare('SELECT * FROM account').get() as Record<string, unknown>;
  assert.equal(account.bare_jid, 'alice@example.org');
  assert.equal(account.password, 'alice-backup-password');
  assert.equal(account.resourcepart, 'Conversations.Ux3P');
  assert.equal(account.enabled, 1);
  const conv = db
    .prepare('SELECT c.*, j.bare_jid FROM conversation c JOIN jid j ON j.id = c.jid_id')
    .all() as Record<string, unknown>[];
  assert.deepEqual(
    conv.map((c) => [c.bare_jid, c.type, c.encryption, c.active]),
    [['bob@example.org', 0, 2, 1]],
  );
  const rows = aliceRows().filter((r) => r.table === 'messages');
  const messages = db
    .prepare(
      `SELECT m.*, ci.hide, ci.content_type FROM message m
       JOIN content_item ci ON ci.foreign_id = m.id AND ci.content_type = 1 ORDER BY m.id`,
    )
    .all() as Record<string, unknown>[];
  assert.equal(messages.length, rows.length);
  assert.equal(summary.count('messages'), rows.length);
  const first = rows[0]!.values;
  const m0 = messages[0]!;
  assert.equal(m0.body, first.body);
  assert.equal(m0.time, Math.floor(Number(first.timeSent) / 1000));
  assert.equal(m0.direction, 0);
  assert.equal(m0.counterpart_resource, 'phone');
  assert.equal(m0.encryption, 2);
  assert.ok(messages.every((m) => m.hide === 0));
  // Sent messages are marked sent, received ones read; directions follow Conversations' status.
  for (const [i, r] of rows.entries()) {
    assert.equal(messages[i]!.direction, Number(r.values.status) === 0 ? 0 : 1, `message ${i}`);
    assert.equal(messages[i]!.server_id, r.values.serverMsgId);
  }
  // Full-text search (Dino's search box) finds the carried text.
  const hit = db.prepare("SELECT docid FROM _fts_message WHERE body MATCH 'testing'").all();
  assert.ok(hit.length >= 1);
  db.close();
});

test('the OMEMO identity, prekeys, signed prekey, session and trust go into omemo.db', async (t) => {
  const home = join(scratch(t), 'home');
  const rows = aliceRows();
  writeHome(home, rows);
  const db = new Database(omemoDbPath(home), { readonly: true });
  const identity = db.prepare('SELECT * FROM identity').get() as Record<string, string | number>;
  assert.equal(identity.device_id, 345823845);
  assert.equal(
    Buffer.from(String(identity.identity_key_public_base64), 'base64').toString('hex'),
    '05d899792f4dee99baa28bb9057d1676fc4bd4cad3845f73e1a500d02a2d518079',
  );
  assert.equal(Buffer.from(String(identity.identity_key_private_base64), 'base64').length, 32);
  const count = (table: string) => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get();
  assert.equal(count('pre_key'), rows.filter((r) => r.table === 'prekeys').length);
  assert.equal(count('signed_pre_key'), rows.filter((r) => r.table === 'signed_prekeys').length);
  // The session record moves byte for byte (the same protobuf in libsignal-java and -c).
  const session = db.prepare('SELECT * FROM session').get() as Record<string, string | number>;
  const source = rows.find((r) => r.table === 'sessions')!.values;
  assert.equal(session.name, 'bob@example.org');
  assert.equal(session.device_id, 1168132655);
  assert.deepEqual(
    Buffer.from(String(session.record_base64), 'base64'),
    Buffer.from(String(source.key).replace(/\s/g, ''), 'base64'),
  );
  // Dino needs an identity_meta row for every session, with the key, trusted and active.
  const meta = db.prepare('SELECT * FROM identity_meta').all() as Record<string, unknown>[];
  assert.deepEqual(
    meta.map((m) => [
      m.address_name,
      m.device_id,
      Buffer.from(String(m.identity_key_public_base64), 'base64').toString('hex'),
      m.trust_level,
      m.now_active,
    ]),
    [
      [
        'bob@example.org',
        1168132655,
        '058c8fae5bf850c820c327b365597e508024d1ea2dec587fc9168ff74ee7e6ac0d',
        1,
        1,
      ],
    ],
  );
  assert.ok(Number(meta[0]!.last_active) > 0, 'Dino counts a contact as known by last_active');
  assert.deepEqual(db.prepare('SELECT address_name, blind_trust FROM trust').all(), [
    { address_name: 'bob@example.org', blind_trust: 1 },
  ]);
  db.close();
});

test('a target that is not empty is refused and left as it was', async (t) => {
  const dir = scratch(t);
  const home = join(dir, 'home');
  mkdirSync(home);
  writeFileSync(join(home, 'notes.txt'), 'mine');
  assert.throws(() => writeHome(home, aliceRows()), ClientError);
  assert.equal(readFileSync(join(home, 'notes.txt'), 'utf8'), 'mine');
});

test('a source that breaks off midway leaves no home and no partial folder behind', async (t) => {
  const dir = scratch(t);
  const home = join(dir, 'home');
  function* broken() {
    const rows = aliceRows();
    for (const r of rows.slice(0, 5)) yield r;
    throw new Error('the backup ended early');
  }
  assert.throws(() => writeHome(home, broken()), /ended early/);
  assert.deepEqual(
    (await import('node:fs')).readdirSync(dir),
    [],
    'nothing written beside the target either',
  );
});

test('read back, the Dino home gives the same account, history and OMEMO rows', (t) => {
  const home = join(scratch(t), 'home');
  const source = aliceRows();
  writeHome(home, source);
  const account = readDinoHome(home);
  assert.equal(account.jid, 'alice@example.org');
  const rows = [...account.rows];
  type AnyRow = { table: string; values: Record<string, unknown> };
  const of = (table: string, from: AnyRow[]): AnyRow[] => from.filter((r) => r.table === table);
  const acc = of('accounts', rows)[0]!.values;
  assert.equal(acc.password, 'alice-backup-password');
  assert.equal(JSON.parse(String(acc.keys)).axolotl_reg_id, '345823845');
  const wanted = of('messages', source).map((r) => [
    r.values.body,
    Math.floor(Number(r.values.timeSent) / 1000) * 1000,
    Number(r.values.status) === 0 ? 'in' : 'out',
    r.values.encryption,
  ]);
  const got = of('messages', rows).map((r) => [
    r.values.body,
    r.values.timeSent,
    Number(r.values.status) === 0 ? 'in' : 'out',
    r.values.encryption,
  ]);
  assert.deepEqual(got, wanted);
  const key = (r: { values: Record<string, unknown> }) =>
    Buffer.from(String(r.values.key).replace(/\s/g, ''), 'base64').toString('hex');
  for (const table of ['prekeys', 'signed_prekeys', 'sessions'])
    assert.deepEqual(
      of(table, rows).map(key).sort(),
      of(table, source).map(key).sort(),
      `${table} byte for byte`,
    );
  const ids = (from: AnyRow[]) =>
    of('identities', from)
      .map((r) => [
        r.values.name,
        r.values.ownkey === 1 || r.values.ownkey === 1n,
        r.values.fingerprint,
        key(r),
        r.values.trust,
      ])
      .sort();
  assert.deepEqual(ids(rows), ids(source));
});

test('a home that is not a Dino home, or a damaged one, is refused before anything is read', (t) => {
  const dir = scratch(t);
  assert.throws(
    () => readDinoHome(dir),
    (e: unknown) => e instanceof ClientError && e.code === 'damaged-home',
  );
  const home = join(dir, 'home');
  writeHome(home, aliceRows());
  writeFileSync(dinoDbPath(home), 'not a database at all');
  assert.throws(
    () => readDinoHome(home),
    (e: unknown) => e instanceof ClientError && e.code === 'damaged-home',
  );
});

test('group chats, private messages and files become Dino rooms, real JIDs and file transfers', (t) => {
  const dir = scratch(t);
  const media = join(dir, 'Media', 'Conversations Images');
  mkdirSync(media, { recursive: true });
  writeFileSync(join(media, 'cat.jpg'), 'a cat, as bytes');
  const account = aliceRows()[0]!;
  const room = 'team@conference.example.org';
  const rows: BackupRow[] = [
    account,
    {
      table: 'conversations',
      values: {
        uuid: 'c-room',
        accountUuid: String(account.values.uuid),
        contactJid: `${room}/alice`,
        mode: 1,
        status: 0,
        created: 1_700_000_000_000,
        attributes: '{}',
      },
    },
    {
      table: 'conversations',
      values: {
        uuid: 'c-bob',
        accountUuid: String(account.values.uuid),
        contactJid: 'bob@example.org',
        mode: 0,
        status: 1,
        created: 1_700_000_000_000,
        attributes: '{"next_encryption":"0"}',
      },
    },
    {
      table: 'messages',
      values: {
        uuid: 'm1',
        conversationUuid: 'c-room',
        timeSent: 1_700_000_001_000,
        counterpart: `${room}/carol`,
        trueCounterpart: 'carol@example.org/phone',
        body: 'hi room',
        encryption: 0,
        status: 0,
        type: 0,
        serverMsgId: 'room-1',
        remoteMsgId: 'r1',
      },
    },
    {
      table: 'messages',
      values: {
        uuid: 'm2',
        conversationUuid: 'c-room',
        timeSent: 1_700_000_002_000,
        counterpart: `${room}/alice`,
        body: 'hi carol',
        encryption: 0,
        status: 2,
        type: 0,
        serverMsgId: 'room-2',
      },
    },
    {
      table: 'messages',
      values: {
        uuid: 'm3',
        conversationUuid: 'c-room',
        timeSent: 1_700_000_002_500,
        counterpart: `${room}/carol`,
        body: 'joined',
        encryption: 0,
        status: 0,
        type: 3,
      },
    },
    {
      table: 'messages',
      values: {
        uuid: 'm4',
        conversationUuid: 'c-bob',
        timeSent: 1_700_000_003_000,
        counterpart: 'bob@example.org/phone',
        body: 'https://upload.example.org/abc/cat.jpg',
        encryption: 0,
        status: 0,
        type: 1,
        relativeFilePath: 'Conversations Images/cat.jpg',
        serverMsgId: 'own-1',
      },
    },
    {
      table: 'messages',
      values: {
        uuid: 'm5',
        conversationUuid: 'c-bob',
        timeSent: 1_700_000_004_000,
        counterpart: 'bob@example.org/phone',
        body: 'https://upload.example.org/def/dog.png',
        encryption: 0,
        status: 0,
        type: 1,
        relativeFilePath: 'Conversations Images/dog.png',
        serverMsgId: 'own-2',
      },
    },
  ];
  const home = join(dir, 'home');
  const summary = new TransferSummary();
  const folder = StagedFolder.create(home);
  writeDinoData(folder.dir, rows, summary, {
    findMedia: (p) => (p.endsWith('cat.jpg') ? join(media, 'cat.jpg') : null),
  });
  folder.commit();
  const q = (sql: string) => {
    const db = new Database(dinoDbPath(home), { readonly: true });
    try {
      return db.prepare(sql).all() as Record<string, unknown>[];
    } finally {
      db.close();
    }
  };
  assert.deepEqual(
    q(
      'SELECT j.bare_jid, c.type, c.resource, c.active, c.encryption FROM conversation c JOIN jid j ON j.id = c.jid_id ORDER BY c.id',
    ),
    [
      { bare_jid: room, type: 1, resource: 'alice', active: 1, encryption: 0 },
      { bare_jid: 'bob@example.org', type: 0, resource: null, active: 0, encryption: 0 },
    ],
  );
  assert.deepEqual(
    q(
      "SELECT m.body, m.type, m.direction, m.counterpart_resource, r.real_jid FROM message m LEFT JOIN real_jid r ON r.message_id = m.id WHERE m.body LIKE 'hi %' ORDER BY m.id",
    ),
    [
      {
        body: 'hi room',
        type: 2,
        direction: 0,
        counterpart_resource: 'carol',
        real_jid: 'carol@example.org',
      },
      { body: 'hi carol', type: 2, direction: 1, counterpart_resource: 'alice', real_jid: null },
    ],
  );
  assert.equal(summary.notCarried.find((n) => n.what === 'status events')?.count, 1);
  // Each archive continues after its newest carried message.
  assert.deepEqual(q('SELECT server_jid, from_id, to_id FROM mam_catchup ORDER BY server_jid'), [
    { server_jid: 'alice@example.org', from_id: 'own-1', to_id: 'own-2' },
    { server_jid: room, from_id: 'room-1', to_id: 'room-2' },
  ]);
  // Files: the one found is in files/ and complete; the other can be downloaded from its link.
  const files = q(
    `SELECT f.file_name, f.path, f.state, f.size, f.mime_type, m.body AS link, ci.content_type
     FROM file_transfer f JOIN message m ON m.id = CAST(f.info AS INTEGER)
     JOIN content_item ci ON ci.foreign_id = f.id AND ci.content_type = 2 ORDER BY f.id`,
  );
  assert.equal(files.length, 2);
  assert.equal(files[0]!.file_name, 'cat.jpg');
  assert.equal(files[0]!.state, 0);
  assert.equal(files[0]!.mime_type, 'image/jpeg');
  assert.equal(
    readFileSync(join(home, '.local/share/dino/files', String(files[0]!.path)), 'utf8'),
    'a cat, as bytes',
  );
  assert.equal(files[0]!.size, 'a cat, as bytes'.length);
  assert.deepEqual(
    [files[1]!.file_name, files[1]!.path, files[1]!.state, files[1]!.link],
    ['dog.png', null, 2, 'https://upload.example.org/def/dog.png'],
  );
  // Read back: the room with its nick, the file pointing at Dino's copy.
  const back = [...readDinoHome(home).rows];
  const convs = back.filter((r) => r.table === 'conversations').map((r) => r.values.contactJid);
  assert.deepEqual(convs, [`${room}/alice`, 'bob@example.org']);
  const fileRows = back.filter((r) => r.table === 'messages' && r.values.type === 2);
  assert.equal(fileRows.length, 2);
  assert.ok(String(fileRows[0]!.values.relativeFilePath).endsWith('cat.jpg'));
  assert.equal(fileRows[1]!.values.relativeFilePath, null);
  assert.equal(fileRows[1]!.values.body, 'https://upload.example.org/def/dog.png');
});

test('a damaged key in the source stops the export with a clear error, nothing written', (t) => {
  const dir = scratch(t);
  const rows = aliceRows().map((r) =>
    r.table === 'sessions' ? { ...r, values: { ...r.values, key: 'not base64 at all!' } } : r,
  );
  assert.throws(
    () => writeHome(join(dir, 'home'), rows),
    (e: unknown) =>
      e instanceof ClientError && /a session of the account is damaged/.test(e.message),
  );
  assert.deepEqual(readdirSync(dir), []);
});
