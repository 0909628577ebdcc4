import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { zipFolder } from './zip.js';

test('an export folder as one ZIP archive: every file, UTF-8 names, contents intact', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-zip-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const root = join(dir, 'export');
  mkdirSync(join(root, 'chats'), { recursive: true });
  mkdirSync(join(root, 'search'));
  writeFileSync(join(root, 'index.html'), '<h1>Chats</h1>');
  writeFileSync(join(root, 'chats', 'Grüße 😀.html'), 'ä'.repeat(100_000));
  writeFileSync(join(root, 'search', '1-1.js'), '');
  const zip = join(dir, 'export.zip');
  await pipeline(await zipFolder(root, 'alice@example.org'), createWriteStream(zip));
  // Info-ZIP's unzip checks every CRC and reads the names as UTF-8.
  const check = execFileSync('unzip', ['-t', zip], { encoding: 'utf8' });
  assert.match(check, /No errors detected/);
  const out = join(dir, 'out');
  execFileSync('unzip', ['-q', zip, '-d', out]);
  assert.equal(
    readFileSync(join(out, 'alice@example.org', 'index.html'), 'utf8'),
    '<h1>Chats</h1>',
  );
  assert.equal(
    readFileSync(join(out, 'alice@example.org', 'chats', 'Grüße 😀.html'), 'utf8'),
    'ä'.repeat(100_000),
  );
  assert.equal(readFileSync(join(out, 'alice@example.org', 'search', '1-1.js'), 'utf8'), '');
});
