import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MediaLookup } from './media-lookup.js';
import { describeCall, parseFileBody, viewMessage, type MessageRow } from './message-view.js';
import { textLine } from './txt-export.js';
import { ZonedClock } from './zoned-time.js';

function row(values: Partial<MessageRow>): MessageRow {
  return {
    uuid: 'u1',
    conversationUuid: 'c1',
    timeSent: 1577836800000,
    counterpart: 'bob@example.org/phone',
    trueCounterpart: null,
    body: 'hello',
    encryption: 0,
    status: 0,
    type: 0,
    relativeFilePath: null,
    serverMsgId: null,
    remoteMsgId: null,
    edited: null,
    deleted: 0,
    oob: 0,
    ...values,
  };
}

const ONE_TO_ONE = { group: false, accountJid: 'alice@example.org' };
const GROUP = { group: true, accountJid: 'alice@example.org' };

test('direction and sender: status 0 is received, anything else sent', () => {
  const r = viewMessage(row({}), ONE_TO_ONE);
  assert.equal(r.direction, 'received');
  assert.equal(r.sender, 'bob@example.org');
  const s = viewMessage(row({ status: 8 }), ONE_TO_ONE);
  assert.equal(s.direction, 'sent');
  assert.equal(s.sender, 'alice@example.org');
  assert.equal(s.status, 'displayed');
  const g = viewMessage(
    row({
      counterpart: 'room@muc.example.org/Nick / with slash',
      trueCounterpart: 'carol@example.org/x',
    }),
    GROUP,
  );
  assert.equal(g.nick, 'Nick / with slash');
  assert.equal(g.sender, 'Nick / with slash');
  assert.equal(g.senderJid, 'carol@example.org');
});

test('OMEMO failures (encryption 4, 6, 7) read as "unable to decrypt"', () => {
  for (const encryption of [4, 6, 7]) {
    const m = viewMessage(row({ encryption, body: '?OMEMO-garbage' }), ONE_TO_ONE);
    assert.equal(m.undecryptable, true);
    assert.equal(m.text, '[unable to decrypt]');
  }
  assert.equal(viewMessage(row({ encryption: 5 }), ONE_TO_ONE).encryption, 'omemo');
  assert.equal(viewMessage(row({ encryption: 5 }), ONE_TO_ONE).undecryptable, false);
});

test('file bodies in every shape Conversations stores', () => {
  assert.deepEqual(parseFileBody('https://x.example/a.jpg|1234|640|480'), {
    url: 'https://x.example/a.jpg',
    size: 1234,
    width: 640,
    height: 480,
  });
  assert.deepEqual(parseFileBody('1234'), { url: null, size: 1234, width: null, height: null });
  assert.deepEqual(parseFileBody('1234|640|480'), {
    url: null,
    size: 1234,
    width: 640,
    height: 480,
  });
  assert.equal(parseFileBody('javascript-ish text').url, null);
  const f = viewMessage(
    row({ type: 2, body: 'https://up.example/x/R%C3%A9sum%C3%A9.pdf|99', relativeFilePath: null }),
    ONE_TO_ONE,
  );
  assert.equal(f.file?.name, 'Résumé.pdf');
  assert.equal(f.text, 'https://up.example/x/R%C3%A9sum%C3%A9.pdf');
  const p2p = viewMessage(
    row({ type: 1, body: '2048', relativeFilePath: 'Conversations Images/a b.jpg' }),
    ONE_TO_ONE,
  );
  assert.equal(p2p.file?.name, 'a b.jpg');
  assert.equal(p2p.text, '[file: a b.jpg]');
});

test('calls are described like ceb2txt does', () => {
  assert.equal(describeCall('true:2200682', 'received'), 'Incoming call. Duration 2200 seconds');
  assert.equal(describeCall('TRUE:0', 'sent'), 'Outgoing call');
  assert.equal(describeCall('false:0', 'sent'), 'Missed call');
  assert.equal(describeCall(null, 'received'), 'Missed call');
});

test('edits and deletions are recognised', () => {
  assert.equal(viewMessage(row({ edited: '[]' }), ONE_TO_ONE).edited, false);
  assert.equal(viewMessage(row({ edited: '[{"edited_id":"x"}]' }), ONE_TO_ONE).edited, true);
  assert.equal(viewMessage(row({ deleted: 1 }), ONE_TO_ONE).deleted, true);
});

test('txt lines: continuation lines indented under the body, nick before the arrow', () => {
  const clock = new ZonedClock('UTC');
  assert.equal(
    textLine(viewMessage(row({ body: 'a\r\nb\rc\u0000' }), ONE_TO_ONE), clock),
    '00:00 <- a\n         b\n         c\n',
  );
  assert.equal(
    textLine(viewMessage(row({ counterpart: 'r@m/Zoë', status: 2, body: 'x\ny' }), GROUP), clock),
    '00:00 Zoë -> x\n             y\n',
  );
});

test('media lookup: relative paths, Android absolute paths, names', () => {
  const root = mkdtempSync(join(tmpdir(), 'ferry-media-'));
  try {
    mkdirSync(join(root, 'Conversations Images', 'Sub'), { recursive: true });
    writeFileSync(join(root, 'Conversations Images', 'Sub', 'a b.jpg'), 'x');
    writeFileSync(join(root, 'doc.pdf'), 'x');
    const lookup = new MediaLookup([join(root, 'missing'), root]);
    const deep = join(root, 'Conversations Images', 'Sub', 'a b.jpg');
    assert.equal(lookup.find('Conversations Images/Sub/a b.jpg'), deep);
    assert.equal(
      lookup.find('/storage/emulated/0/Conversations/Media/Conversations Images/Sub/a b.jpg'),
      deep,
    );
    assert.equal(lookup.find('/storage/emulated/0/Download/doc.pdf'), join(root, 'doc.pdf'));
    assert.equal(lookup.find('../doc.pdf'), null);
    assert.equal(lookup.find('nothing.png'), null);
    assert.equal(lookup.find(null), null);
    assert.deepEqual(MediaLookup.segmentsFrom(join(root, 'site', 'chats'), deep), [
      '..',
      '..',
      'Conversations Images',
      'Sub',
      'a b.jpg',
    ]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
