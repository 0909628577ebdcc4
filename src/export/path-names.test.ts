import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { safeSegment, uniqueFolderNames } from './path-names.js';

test('safeSegment keeps ordinary JIDs as they are', () => {
  for (const jid of ['bob@example.org', 'ivan_schmidt@éxample.fr', 'δημήτρης@jabber.fr', 'a~b@x']) {
    assert.equal(safeSegment(jid), jid);
  }
});

test('safeSegment: hostile names become one harmless, distinct segment', () => {
  const hostile = [
    '',
    '.',
    '..',
    '.hidden',
    '../../etc/passwd',
    '/absolute',
    'a/b',
    'a\\b',
    'nul\u0000byte',
    'line\nbreak',
    'con',
    'NUL.txt',
    'lpt1',
    'com9.json',
    'trailing. ',
    'x'.repeat(300),
    'é'.repeat(300),
    'w:i*n?d"o<w>s|',
  ];
  const seen = new Set<string>();
  const dir = mkdtempSync(join(tmpdir(), 'ferry-names-'));
  try {
    for (const name of hostile) {
      const s = safeSegment(name);
      assert.notEqual(s, name, JSON.stringify(name));
      assert.match(s, /~[0-9a-f]{8}$/, 'a lossy name carries a tag of the original');
      // eslint-disable-next-line no-control-regex
      assert.ok(!/[\u0000-\u001f/\\:*?"<>|]/.test(s), JSON.stringify(s));
      assert.ok(s !== '.' && s !== '..' && !/[. ]$/.test(s));
      assert.ok(!/^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i.test(s), s);
      assert.ok(Buffer.byteLength(s) <= 200, `${Buffer.byteLength(s)} bytes`);
      assert.ok(!seen.has(s), 'distinct');
      seen.add(s);
      // A real file of that name can be made inside the folder.
      writeFileSync(join(dir, s), 'x');
    }
    assert.equal(safeSegment('a/b'), safeSegment('a/b'), 'stable');
    assert.notEqual(safeSegment('a/b'), safeSegment('a_b'));
    assert.notEqual(safeSegment('a/b'), safeSegment('a:b'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('uniqueFolderNames: names differing only in case or normalisation get distinct folders', () => {
  const items = [
    { id: 'u1', jid: 'bob@x.org' },
    { id: 'u2', jid: 'Bob@x.org' },
    { id: 'u3', jid: 'BOB@X.ORG' },
    { id: 'u4', jid: 'josé@x.org'.normalize('NFC') },
    { id: 'u5', jid: 'josé@x.org'.normalize('NFD') },
    { id: 'u6', jid: 'same@x.org' },
    { id: 'u7', jid: 'same@x.org' },
    { id: 'u8', jid: 'carol@x.org' },
  ];
  const names = uniqueFolderNames(
    items,
    (i) => i.jid,
    (i) => i.id,
  );
  const folded = [...names.values()].map((n) => n.normalize('NFC').toLowerCase());
  assert.equal(new Set(folded).size, items.length, [...names.values()].join(' '));
  const nameOf = (id: string) => names.get(items.find((i) => i.id === id) ?? items[0]!);
  assert.equal(nameOf('u1'), 'bob@x.org', 'the lower-case JID keeps its plain name');
  assert.equal(nameOf('u8'), 'carol@x.org');
  assert.match(nameOf('u2') ?? '', /^Bob@x\.org~[0-9a-f]{8}$/);
  assert.equal(nameOf('u4'), 'josé@x.org'.normalize('NFC'));

  // Stable: the same names whatever the order of the conversations.
  const reversed = uniqueFolderNames(
    [...items].reverse(),
    (i) => i.jid,
    (i) => i.id,
  );
  for (const item of items) assert.equal(reversed.get(item), names.get(item));
});
