import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { xml } from '@xmpp/client';
import { openProfile, openProfileDatabase } from '../store/profile.js';
import { addAccount } from '../store/accounts.js';
import { findConversation } from '../store/conversations.js';
import { listMessages } from '../store/messages.js';
import { readArchivePosition } from '../store/archive-position.js';
import { isDatabaseBusy, writeWhenFree } from './busy-database.js';
import { MessageIntake, type StoredMessageEvent } from './message-intake.js';
import { waitUntil } from './testing/contact.js';

const ME = 'alice@example.org';
const BOB = 'bob@example.org';

function setup(t: { after(fn: () => void): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-busy-'));
  const profile = openProfile(dir);
  // Another connection to the same database, as a backup import has.
  const other = openProfileDatabase(dir);
  t.after(() => {
    if (other.inTransaction) other.exec('ROLLBACK');
    other.close();
    profile.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const account = addAccount(profile.db, { jid: ME, password: 'x' });
  const stored: StoredMessageEvent[] = [];
  const intake = new MessageIntake(profile.db, {
    accountUuid: account.uuid,
    accountJid: ME,
    crypto: undefined,
    channel: {
      account: { uuid: account.uuid, jid: ME },
      fullJid: `${ME}/ferry`,
      iq: () => Promise.reject(new Error('offline')),
      send: () => Promise.resolve(),
      onStanza: () => () => {},
    },
    rooms: new Map(),
    sendReceipt: () => Promise.resolve(),
    onStored: (e) => stored.push(e),
  });
  return { profile, other, account, intake, stored };
}

function chat(id: string, body: string, archiveId: string) {
  return xml(
    'message',
    { from: `${BOB}/phone`, to: ME, type: 'chat', id },
    xml('body', {}, body),
    xml('stanza-id', { xmlns: 'urn:xmpp:sid:0', id: archiveId, by: ME }),
  );
}

test('while another connection holds the write lock, an archive page and a live message wait, then are stored once, in order', async (t) => {
  const { profile, other, account, intake, stored } = setup(t);
  other.exec('CREATE TABLE import_progress (n INTEGER)');
  other.exec('BEGIN IMMEDIATE');

  let pageDone = false;
  const page = intake
    .storeArchivePage(
      [
        {
          archiveId: 'A1',
          stamp: Date.parse('2026-01-01T10:00:00Z'),
          message: chat('m1', 'one', 'A1'),
        },
        {
          archiveId: 'A2',
          stamp: Date.parse('2026-01-01T10:00:01Z'),
          message: chat('m2', 'two', 'A2'),
        },
      ],
      undefined,
      false,
      { lastId: 'A2', lastTime: Date.parse('2026-01-01T10:00:01Z') },
    )
    .then(() => {
      pageDone = true;
    });
  intake.enqueueLive(chat('m3', 'three', 'A3'));

  // The holder keeps writing from the same event loop (as the import in the web app does): the
  // engine's waiting must not block it.
  let progress = 0;
  await waitUntil(
    () => {
      other.prepare('INSERT INTO import_progress (n) VALUES (?)').run(progress++);
      return progress >= 20;
    },
    20_000,
    'the lock holder to progress',
  );
  assert.equal(pageDone, false, 'the page is not reported stored while the database is locked');
  // (Read through the holder: the engine's connection must not wait for the lock here.)
  assert.equal(readArchivePosition(other, account.uuid, ''), undefined, 'position not moved');
  assert.equal(stored.length, 0);

  other.exec('COMMIT');
  await page;
  await intake.idle();
  const conversation = findConversation(profile.db, account.uuid, BOB);
  assert.ok(conversation);
  assert.deepEqual(
    listMessages(profile.db, conversation.uuid).map((m) => m.body),
    ['one', 'two', 'three'],
  );
  assert.deepEqual(
    stored.map((e) => e.message.body),
    ['one', 'two', 'three'],
  );
  assert.equal(readArchivePosition(profile.db, account.uuid, '')?.lastId, 'A2');
  assert.equal(profile.db.pragma('busy_timeout', { simple: true }), 5000, 'wait restored');
});

test('writeWhenFree: other errors are thrown at once; busy errors are recognised by code', async (t) => {
  const { profile, other } = setup(t);
  await assert.rejects(
    writeWhenFree(profile.db, () => profile.db.exec('INSERT INTO no_such_table VALUES (1)')),
    (err: unknown) => !isDatabaseBusy(err),
  );
  other.exec('BEGIN IMMEDIATE');
  let busyError: unknown;
  profile.db.pragma('busy_timeout = 0');
  try {
    profile.db.exec('CREATE TABLE t (x)');
  } catch (err) {
    busyError = err;
  }
  assert.ok(isDatabaseBusy(busyError));
  // Giving up (the account stops) rethrows the busy error.
  await assert.rejects(
    writeWhenFree(
      profile.db,
      () => profile.db.exec('CREATE TABLE t (x)'),
      () => false,
    ),
    (err: unknown) => isDatabaseBusy(err),
  );
  other.exec('ROLLBACK');
});
