import { test } from 'node:test';
import assert from 'node:assert/strict';
import { xml } from '@xmpp/client';
import type { Element } from '@xmpp/xml';
import type { ArchiveItem } from './archive-query.js';
import { ArchiveRouter } from './archive-routing.js';

const ALICE = 'alice@example.org';
const ROOM = 'room@conference.example.org';

function result(from: string | undefined, queryId: string, archiveId: string, body: string) {
  return xml(
    'message',
    from ? { from, to: `${ALICE}/ferry` } : { to: `${ALICE}/ferry` },
    xml(
      'result',
      { xmlns: 'urn:xmpp:mam:2', queryid: queryId, id: archiveId },
      xml(
        'forwarded',
        { xmlns: 'urn:xmpp:forward:0' },
        xml('delay', { xmlns: 'urn:xmpp:delay', stamp: '2024-05-01T10:00:00Z' }),
        xml('message', { from: 'bob@example.org/phone', type: 'chat' }, xml('body', {}, body)),
      ),
    ),
  );
}

function router() {
  const sent: Element[] = [];
  const r = new ArchiveRouter(ALICE, async (request) => {
    sent.push(request);
    return xml('iq', { type: 'result' });
  });
  return { r, sent };
}

test('archive results go to the query that asked, with id, message and stamp', () => {
  const { r } = router();
  const own: ArchiveItem[] = [];
  const room: ArchiveItem[] = [];
  r.transport.collect('q1', undefined, (i) => own.push(i));
  r.transport.collect('q2', ROOM, (i) => room.push(i));
  assert.equal(r.route(result(ALICE, 'q1', 'a1', 'one')), true);
  assert.equal(r.route(result(undefined, 'q1', 'a2', 'two')), true, 'no from: the own archive');
  assert.equal(r.route(result(`${ROOM}`, 'q2', 'r1', 'in the room')), true);
  assert.deepEqual(
    own.map((i) => [i.archiveId, i.message.getChildText('body'), i.stamp]),
    [
      ['a1', 'one', Date.parse('2024-05-01T10:00:00Z')],
      ['a2', 'two', Date.parse('2024-05-01T10:00:00Z')],
    ],
  );
  assert.deepEqual(
    room.map((i) => i.archiveId),
    ['r1'],
  );
});

test('results from another sender, for an unknown or finished query, are dropped, not live', () => {
  const { r } = router();
  const got: ArchiveItem[] = [];
  const stop = r.transport.collect('q1', undefined, (i) => got.push(i));
  assert.equal(r.route(result('mallory@example.org', 'q1', 'x1', 'forged')), true);
  assert.equal(r.route(result(ALICE, 'other', 'x2', 'someone else')), true);
  stop();
  assert.equal(r.route(result(ALICE, 'q1', 'x3', 'late')), true);
  assert.deepEqual(got, []);
});

test('anything that is not an archive result is left to the caller', () => {
  const { r } = router();
  r.transport.collect('q1', undefined, () => assert.fail('not a result'));
  const live = xml(
    'message',
    { from: 'bob@example.org/phone', type: 'chat' },
    xml('body', {}, 'hi'),
  );
  assert.equal(r.route(live), false);
  assert.equal(r.route(xml('presence', { from: 'bob@example.org/phone' })), false);
  assert.equal(r.route(xml('iq', { type: 'result', id: 'q1' })), false);
});

test('the transport sends its IQs through the connection given', async () => {
  const { r, sent } = router();
  const reply = await r.transport.iq(xml('iq', { type: 'set', id: 'x' }));
  assert.equal(reply.attrs.type, 'result');
  assert.equal(sent[0]?.attrs.id, 'x');
});
