import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from '../../store/sqlite.js';
import { ClientError } from '../errors.js';
import { exportToClient, importFromClient } from '../transfer.js';
import {
  addAccount,
  findAccountByJid,
  isAccountEnabled,
  listAccounts,
  setAccountEnabled,
} from '../../store/accounts.js';
import { findConversation } from '../../store/conversations.js';
import { listMessages, MESSAGE_ENCRYPTION, MESSAGE_STATUS } from '../../store/messages.js';
import {
  listIdentities,
  listSessionDevices,
  readAccountKeys,
  readOwnIdentity,
} from '../../store/omemo-keys.js';
import { AccountExistsError } from '../../store/errors.js';
import { openProfile, type Profile } from '../../store/profile.js';
import { profanity } from './index.js';
import { KeyFile } from './keyfile.js';
import { profanityPaths } from './layout.js';
import { formatTimestamp, parseTimestamp } from './chatlog.js';

/** What the real profanity 0.13.1 wrote (test-data/profanity-home/README.md). */
const REAL_HOME = 'test-data/profanity-home';
const CAROL = 'carol@ferry.test';
const ALICE = 'alice@ferry.test';

function scratch(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-prof-unit-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function copyHome(dir: string): string {
  const home = join(dir, 'home');
  cpSync(REAL_HOME, home, { recursive: true });
  rmSync(join(home, 'README.md'));
  return home;
}

function profileIn(dir: string, t: { after(fn: () => void): void }): Profile {
  const p = openProfile(join(dir, 'profile'));
  t.after(() => p.close());
  return p;
}

const omemoFile = (home: string, name: string, jid = CAROL) =>
  join(profanityPaths.omemoDir(home, jid), name);

test('a real profanity home: account, history and OMEMO come into the profile, the account disabled', async (t) => {
  const dir = scratch(t);
  const profile = profileIn(dir, t);
  const result = await importFromClient(profanity, copyHome(dir), profile);
  assert.equal(result.jid, CAROL);
  const account = findAccountByJid(profile.db, CAROL);
  assert.ok(account);
  assert.equal(isAccountEnabled(account), false);
  assert.equal(account.password, 'pw-carol');
  assert.equal(account.hostname, '127.0.0.1');
  assert.ok(account.resource?.startsWith('profanity.'));

  const chat = findConversation(profile.db, account.uuid, ALICE);
  assert.ok(chat && chat.mode === 0);
  // `/omemo end` in profanity (omemo.disabled): the chat's next message goes unencrypted.
  assert.deepEqual(JSON.parse(chat.attributes ?? '{}'), { next_encryption: 0 });
  const messages = listMessages(profile.db, chat.uuid);
  assert.deepEqual(
    messages.map((m) => [m.body, m.status === MESSAGE_STATUS.received, m.encryption]),
    [
      ['hello from profanity', false, MESSAGE_ENCRYPTION.omemo],
      ['reply from ferry', true, MESSAGE_ENCRYPTION.omemo],
      ['plain one', false, MESSAGE_ENCRYPTION.none],
    ],
  );
  // The incoming message keeps its archive id (serverMsgId) and sender resource; ids are kept.
  assert.equal(messages[1]?.serverMsgId, 'QubFY_hnXQizdBnJiNYQuF7p');
  assert.equal(messages[1]?.counterpart, `${ALICE}/ferry.tVMZ`);
  assert.equal(messages[1]?.remoteMsgId, '82e08e0b-3ebd-4ce9-944e-3b0c4748bf6d');
  assert.equal(messages[0]?.timeSent, Date.parse('2026-12-01T20:48:57.425Z'));
  const room = findConversation(profile.db, account.uuid, 'room@conference.ferry.test');
  assert.ok(room && room.mode === 1);
  assert.deepEqual(
    listMessages(profile.db, room.uuid).map((m) => [m.body, m.counterpart]),
    [['hi room', 'room@conference.ferry.test/carol']],
  );

  // OMEMO: profanity's device id is the Conversations device (registration) id.
  assert.equal(readAccountKeys(profile.db, account.uuid).axolotl_reg_id, '618475252');
  const identity = KeyFile.parse(readFileSync(omemoFile(REAL_HOME, 'identity.txt'), 'utf8'));
  const own = readOwnIdentity(profile.db, account.uuid);
  assert.equal(
    own?.fingerprint,
    Buffer.from(identity.get('identity', 'identity_key_public') ?? '', 'base64').toString('hex'),
  );
  assert.deepEqual(listSessionDevices(profile.db, account.uuid, ALICE), [1035926674]);
  const aliceKeys = listIdentities(profile.db, account.uuid, ALICE);
  assert.deepEqual(
    aliceKeys.map((k) => [k.fingerprint, k.trust]),
    [['05824dae34f7c1f177290e59de04ccddc4c36e194d12351c1f6283912e672ffe37', 'TRUSTED']],
  );
  assert.equal(result.counts.prekeys, 100);
  assert.equal(result.counts.signed_prekeys, 1);
  assert.equal(result.summary.count('messages'), 4);
  assert.equal(result.summary.count('OMEMO sessions'), 1);
});

test('profanity → profile → profanity gives back the same keys, sessions, trust and messages', async (t) => {
  const dir = scratch(t);
  const profile = profileIn(dir, t);
  await importFromClient(profanity, copyHome(dir), profile);
  const out = join(dir, 'again');
  const result = await exportToClient(
    profanity,
    { kind: 'profile', profileDir: profile.dir, jid: CAROL },
    out,
    {
      profileDir: profile.dir,
    },
  );
  assert.equal(result.path, out);
  const read = (home: string, name: string) =>
    KeyFile.parse(readFileSync(omemoFile(home, name), 'utf8'));
  const before = read(REAL_HOME, 'identity.txt');
  const after = read(out, 'identity.txt');
  for (const key of ['device_id', 'identity_key_public', 'identity_key_private']) {
    assert.equal(after.get('identity', key), before.get('identity', key), key);
  }
  for (const group of ['prekeys', 'signed_prekeys']) {
    assert.deepEqual(
      after.keys(group).map((k) => [k, after.get(group, k)]),
      before
        .keys(group)
        .map((k) => [k, before.get(group, k)])
        .sort((a, b) => Number(a[0]) - Number(b[0])),
    );
  }
  assert.equal(
    read(out, 'sessions.txt').get(ALICE, '1035926674'),
    read(REAL_HOME, 'sessions.txt').get(ALICE, '1035926674'),
  );
  assert.equal(
    read(out, 'trust.txt').get(ALICE, '1035926674'),
    read(REAL_HOME, 'trust.txt').get(ALICE, '1035926674'),
  );
  assert.equal(
    read(out, 'known_devices.txt').get(ALICE, '1035926674'),
    read(REAL_HOME, 'known_devices.txt').get(ALICE, '1035926674'),
  );
  const rows = (home: string) => {
    const db = new Database(profanityPaths.chatlog(home, CAROL), { readonly: true });
    try {
      return db
        .prepare(
          'SELECT from_jid, to_jid, message, type, stanza_id, archive_id, encryption FROM ChatLogs ORDER BY timestamp, id',
        )
        .all();
    } finally {
      db.close();
    }
  };
  assert.deepEqual(rows(out), rows(REAL_HOME));
  // The accounts file: the same account, server and port; the plain chat stays plain.
  const accounts = KeyFile.parse(readFileSync(profanityPaths.accounts(out), 'utf8'));
  const real = KeyFile.parse(readFileSync(profanityPaths.accounts(REAL_HOME), 'utf8'));
  for (const key of ['jid', 'resource', 'server', 'port', 'password']) {
    assert.equal(accounts.get(CAROL, key), real.get(CAROL, key), key);
  }
  // The chat profanity had ended OMEMO in (`/omemo end`) stays so.
  assert.deepEqual(
    accounts.getList(CAROL, 'omemo.disabled'),
    real.getList(CAROL, 'omemo.disabled'),
  );
  assert.deepEqual(accounts.getList(CAROL, 'omemo.enabled'), []);
  // Private files only.
  for (const f of [
    profanityPaths.accounts(out),
    profanityPaths.chatlog(out, CAROL),
    omemoFile(out, 'identity.txt'),
  ]) {
    assert.equal(statSync(f).mode & 0o777, 0o600, f);
  }
  assert.equal(statSync(out).mode & 0o777, 0o700);
});

/** Expects the import to fail with a damaged-home error mentioning `what`, and nothing imported. */
async function refusesDamaged(
  t: { after(fn: () => void): void },
  damage: (home: string) => void,
  what: RegExp,
) {
  const dir = scratch(t);
  const profile = profileIn(dir, t);
  const home = copyHome(dir);
  damage(home);
  await assert.rejects(importFromClient(profanity, home, profile), (err: unknown) => {
    assert.ok(err instanceof ClientError, String(err));
    assert.equal(err.code, 'damaged-home');
    assert.match(err.message, what);
    assert.match(err.hint, /nothing was imported/);
    return true;
  });
  assert.deepEqual(listAccounts(profile.db), []);
  assert.equal(Number(profile.db.prepare('SELECT count(*) FROM messages').pluck().get()), 0);
  assert.equal(Number(profile.db.prepare('SELECT count(*) FROM prekeys').pluck().get()), 0);
}

test('a damaged or partial profanity home: a clear error and nothing imported', async (t) => {
  await t.test('no profanity data at all', async (t) => {
    await refusesDamaged(
      t,
      (home) => rmSync(join(home, '.local'), { recursive: true }),
      /not a profanity home/,
    );
  });
  await t.test('no accounts file', async (t) => {
    await refusesDamaged(t, (home) => rmSync(profanityPaths.accounts(home)), /accounts is missing/);
  });
  await t.test('identity.txt cut off before the private key', async (t) => {
    await refusesDamaged(
      t,
      (home) => {
        const f = omemoFile(home, 'identity.txt');
        const text = readFileSync(f, 'utf8');
        writeFileSync(f, text.slice(0, text.indexOf('identity_key_private')));
      },
      /identity\.txt has no valid identity_key_private/,
    );
  });
  await t.test('a session that is not a libsignal record', async (t) => {
    await refusesDamaged(
      t,
      (home) => writeFileSync(omemoFile(home, 'sessions.txt'), `[${ALICE}]\n1035926674=AAAAAAAA\n`),
      /sessions\.txt has a session with alice@ferry\.test \(1035926674\) that is not a libsignal record/,
    );
  });
  await t.test('a key file line that is not key=value', async (t) => {
    await refusesDamaged(
      t,
      (home) => writeFileSync(omemoFile(home, 'trust.txt'), `[${ALICE}]\nthis is not a key file\n`),
      /trust\.txt cannot be read: line 2/,
    );
  });
  await t.test('a chat log that is not a database', async (t) => {
    await refusesDamaged(
      t,
      (home) =>
        writeFileSync(
          profanityPaths.chatlog(home, CAROL),
          'SQLite format 3\0 but then garbage'.repeat(100),
        ),
      /chatlog\.db is not a readable SQLite database/,
    );
  });
  await t.test(
    'a message deep in the chat log with a broken timestamp: the whole import rolls back',
    async (t) => {
      await refusesDamaged(
        t,
        (home) => {
          const db = new Database(profanityPaths.chatlog(home, CAROL));
          db.prepare("UPDATE ChatLogs SET timestamp = 'yesterday' WHERE id = 3").run();
          db.close();
        },
        /has a message \(row 3\) with timestamp "yesterday"/,
      );
    },
  );
});

test('a home with two accounts needs --account; an unknown one is named', async (t) => {
  const dir = scratch(t);
  const profile = profileIn(dir, t);
  const home = copyHome(dir);
  const accounts = profanityPaths.accounts(home);
  writeFileSync(
    accounts,
    `${readFileSync(accounts, 'utf8')}\n[dan@ferry.test]\nenabled=true\njid=dan@ferry.test\n`,
  );
  await assert.rejects(importFromClient(profanity, home, profile), (err: unknown) => {
    assert.ok(err instanceof ClientError && err.code === 'unusable-account');
    assert.match(err.message, /has 2 accounts \(carol@ferry\.test, dan@ferry\.test\)/);
    assert.match(err.hint, /--account JID/);
    return true;
  });
  await assert.rejects(
    importFromClient(profanity, home, profile, { jid: 'eve@ferry.test' }),
    /no account eve@ferry\.test/,
  );
  const r = await importFromClient(profanity, home, profile, { jid: 'CAROL@ferry.test' });
  assert.equal(r.jid, CAROL);
});

test('an account already in the profile is refused, and the profile keeps what it had', async (t) => {
  const dir = scratch(t);
  const profile = profileIn(dir, t);
  const home = copyHome(dir);
  await importFromClient(profanity, home, profile);
  const messages = Number(profile.db.prepare('SELECT count(*) FROM messages').pluck().get());
  await assert.rejects(importFromClient(profanity, home, profile), AccountExistsError);
  assert.equal(Number(profile.db.prepare('SELECT count(*) FROM messages').pluck().get()), messages);
  assert.equal(listAccounts(profile.db).length, 1);
});

test('export: a folder that is not empty is refused and left alone; the never-clone rule', async (t) => {
  const dir = scratch(t);
  const profile = profileIn(dir, t);
  await importFromClient(profanity, copyHome(dir), profile);
  const spec = { kind: 'profile' as const, profileDir: profile.dir, jid: CAROL };

  const busy = join(dir, 'busy');
  mkdirSync(busy);
  writeFileSync(join(busy, 'notes.txt'), 'mine');
  await assert.rejects(
    exportToClient(profanity, spec, busy, { profileDir: profile.dir }),
    (err: unknown) => {
      assert.ok(err instanceof ClientError && err.code === 'target-not-empty');
      assert.match(err.message, /is not empty \(it holds notes\.txt\)/);
      return true;
    },
  );
  assert.deepEqual(readdirSync(busy), ['notes.txt']);

  // Enabled here: refused unless --deactivate (or --allow-clone); nothing written.
  setAccountEnabled(profile.db, CAROL, true);
  const target = join(dir, 'home-out');
  await assert.rejects(
    exportToClient(profanity, spec, target, { profileDir: profile.dir }),
    (err: unknown) => {
      assert.ok(err instanceof ClientError && err.code === 'would-clone');
      assert.match(err.hint, /--deactivate/);
      return true;
    },
  );
  assert.equal(existsSync(target), false);
  assert.deepEqual(
    readdirSync(dir).filter((n) => n.includes('.ferry-')),
    [],
    'no staging folder left',
  );

  const r = await exportToClient(profanity, spec, target, {
    profileDir: profile.dir,
    deactivate: true,
  });
  assert.equal(r.deactivated, true);
  const row = findAccountByJid(profile.db, CAROL);
  assert.ok(row && !isAccountEnabled(row));
  // An existing empty folder is fine.
  const empty = join(dir, 'empty');
  mkdirSync(empty);
  await exportToClient(profanity, spec, empty, { profileDir: profile.dir });
  assert.ok(existsSync(profanityPaths.accounts(empty)));
});

test('export: damaged keys in the source stop the export before anything appears', async (t) => {
  const dir = scratch(t);
  const profile = profileIn(dir, t);
  await importFromClient(profanity, copyHome(dir), profile);
  profile.db.prepare("UPDATE signed_prekeys SET key = 'AAAA'").run();
  const target = join(dir, 'out');
  await assert.rejects(
    exportToClient(profanity, { kind: 'profile', profileDir: profile.dir, jid: CAROL }, target, {
      profileDir: profile.dir,
    }),
    /signed prekey .* cannot be read/,
  );
  assert.equal(existsSync(target), false);
  assert.deepEqual(
    readdirSync(dir).filter((n) => n.includes('.ferry-')),
    [],
  );
});

test('timestamps as profanity writes and reads them', () => {
  assert.equal(
    formatTimestamp(Date.parse('2026-12-01T20:48:57.425Z')),
    '2026-12-01T20:48:57.425000Z',
  );
  assert.equal(
    parseTimestamp('2026-12-01T20:48:57.425317Z'),
    Date.parse('2026-12-01T20:48:57.425Z'),
  );
  assert.equal(parseTimestamp('2020-03-24T11:12:14+01:00'), Date.parse('2020-03-24T10:12:14Z'));
  assert.equal(
    parseTimestamp('2020-03-24T11:12:14.5-02:30'),
    Date.parse('2020-03-24T13:42:14.500Z'),
  );
  assert.equal(parseTimestamp('yesterday'), undefined);
});

test('key files: escapes and lists as GLib writes them', () => {
  const kf = new KeyFile();
  kf.set('a@b', 'text', ' leading space, new\nline and back\\slash');
  kf.setList('a@b', 'list', ['x@y', 'semi;colon']);
  const text = kf.toString();
  assert.match(
    text,
    /^\[a@b\]\ntext=\\sleading space, new\\nline and back\\\\slash\nlist=x@y;semi\\;colon;\n$/,
  );
  const back = KeyFile.parse(text);
  assert.equal(back.get('a@b', 'text'), ' leading space, new\nline and back\\slash');
  assert.deepEqual(back.getList('a@b', 'list'), ['x@y', 'semi;colon']);
  assert.throws(() => KeyFile.parse('key=before any group\n'), /line 1/);
});

test('export from a .ceb: refused while the same account is enabled in this profile', async (t) => {
  const dir = scratch(t);
  const profile = profileIn(dir, t);
  addAccount(profile.db, { jid: 'alice@example.org', password: 'x' });
  const spec = {
    kind: 'backup' as const,
    file: 'test-data/omemo/alice.v2.ceb',
    password: 'alice-backup-password',
  };
  const out = join(dir, 'out');
  await assert.rejects(
    exportToClient(profanity, spec, out, { profileDir: profile.dir }),
    (err: unknown) => {
      assert.ok(err instanceof ClientError && err.code === 'would-clone');
      assert.match(err.message, /alice@example\.org is enabled in this profile/);
      return true;
    },
  );
  assert.equal(existsSync(out), false);
});
