import { test } from 'node:test';
import assert from 'node:assert/strict';
import { repairedLine, repairedSessions } from './engine-commands.js';

test('a session the OMEMO layer repairs is reported, once per repair, with account and device', () => {
  const seen: string[] = [];
  const repaired = repairedSessions((r) => seen.push(repairedLine(r)));
  repaired.onEvent({ kind: 'published', jid: 'alice@example.org', deviceId: 7, preKeys: 100 });
  repaired.onEvent({
    kind: 'healed',
    jid: 'alice@example.org',
    device: { name: 'bob@example.org', deviceId: 4242 },
  });
  assert.deepEqual(repaired.list, [
    { account: 'alice@example.org', contact: 'bob@example.org', device: 4242 },
  ]);
  assert.deepEqual(seen, [
    'alice@example.org: repaired the OMEMO session with bob@example.org (device 4242); ' +
      'messages it could not decrypt stay marked, new ones decrypt again',
  ]);
});
