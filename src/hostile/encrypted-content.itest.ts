// Hostile encrypted content through the command line: `verify` applies the checks `import` makes,
// so exit 0 from verify means the file will import.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { craftBackup } from '@ferry/ceb-format/testing';
import { runFerry } from '../cli/testing/run-ferry.js';
import { importBackup } from '../migration/import-backup.js';
import { tempDir, tempProfile } from '../migration/testing/fixtures.js';

const ACCOUNT =
  '{"table":"accounts","values":{"uuid":"u1","username":"test","server":"example.org","options":2}}';
const CONVERSATION =
  '{"table":"conversations","values":{"uuid":"c1","accountUuid":"u1","contactJid":"lee@example.org"}}';
const message = (uuid: string): string =>
  `{"table":"messages","values":{"uuid":"${uuid}","conversationUuid":"c1","body":"hi"}}`;

const REFUSED: Record<string, string> = {
  'an empty body': '[]',
  'no accounts row': `[${CONVERSATION}]`,
  'duplicate message uuids': `[${ACCOUNT},${CONVERSATION},${message('m1')},${message('m1')}]`,
  'a conversation before its account': `[${CONVERSATION},${ACCOUNT}]`,
};

test('verify refuses what import refuses (empty body, no account, duplicate messages, wrong order)', async () => {
  const dir = tempDir('verify-import');
  const env = { FERRY_PASSWORD: 'secret' };
  try {
    let n = 0;
    for (const [what, body] of Object.entries(REFUSED)) {
      const file = join(dir.dir, `case-${++n}.ceb`);
      writeFileSync(file, await craftBackup(body));
      const verify = await runFerry(['verify', file], env);
      const target = tempProfile(`target-${n}`);
      try {
        await assert.rejects(importBackup(target.profile, file, 'secret'), `import of ${what}`);
      } finally {
        target.cleanup();
      }
      assert.equal(verify.code, 4, `verify of ${what}: ${verify.stdout} ${verify.stderr}`);
      assert.match(verify.stderr, /unexpected content/, what);
    }
    // And a good file passes both.
    const good = join(dir.dir, 'good.ceb');
    writeFileSync(good, await craftBackup(`[${ACCOUNT},${CONVERSATION},${message('m1')}]`));
    assert.equal((await runFerry(['verify', good], env)).code, 0);
    assert.equal(
      (await runFerry(['--profile', join(dir.dir, 'pg'), 'backup', 'import', good], env)).code,
      0,
    );
  } finally {
    dir.cleanup();
  }
});
