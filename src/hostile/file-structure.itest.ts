// Hostile input that attacks the file's structure, through the command line as a user runs it:
// a damaged file ends with the damaged-file error (exit 4) on verify, import and decrypt.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseHeader } from '@ferry/ceb-format';
import { runFerry } from '../cli/testing/run-ferry.js';
import { tempDir } from '../migration/testing/fixtures.js';
import { settlesWithin, variedAccountRows, writtenBackup } from './testing/backups.js';

test('a real-sized file with a bit flipped in its body: verify, import and decrypt exit 4, saying it is damaged', async () => {
  const bytes = await writtenBackup(variedAccountRows('kim@example.org', 20_000), {
    jid: 'kim@example.org',
    password: 'kim-pw',
  });
  const body = parseHeader(bytes).length;
  const dir = tempDir('cli-flips');
  try {
    const env = { FERRY_PASSWORD: 'kim-pw' };
    // Offsets in the compressed body's first block (inflating fails there) and further in.
    for (const offset of [13, 3000]) {
      const damaged = Buffer.from(bytes);
      damaged[body + offset] = (damaged[body + offset] as number) ^ 0x02;
      const file = join(dir.dir, `kim-${offset}.ceb`);
      writeFileSync(file, damaged);
      const profile = join(dir.dir, `profile-${offset}`);
      const out = join(dir.dir, `out-${offset}`);
      const runs = {
        verify: ['verify', file],
        import: ['--profile', profile, 'backup', 'import', file],
        decrypt: ['decrypt', file, '--out', `${out}.jsonl`],
      };
      for (const [name, args] of Object.entries(runs)) {
        const r = await settlesWithin(runFerry(args, env), 120_000, `ferry ${name}`);
        assert.equal(r.code, 4, `${name} at ${offset}: ${r.stdout} ${r.stderr}`);
        assert.match(r.stderr, /damaged|failed authentication/, `${name} at ${offset}`);
      }
    }
    assert.deepEqual(
      readdirSync(dir.dir).filter((n) => n.endsWith('.tmp') || n.endsWith('.jsonl')),
      [],
      'decrypt left nothing behind',
    );
    assert.ok(readFileSync(join(dir.dir, 'kim-13.ceb')).length === bytes.length);
  } finally {
    dir.cleanup();
  }
});

test('terminal escapes in the header address are shown as escapes by inspect, backup list and verify', async () => {
  const jid = 'mallory\u001b[2J\u001b]0;owned\u0007@evil.example';
  const [username, server] = jid.split('@') as [string, string];
  const dir = tempDir('escapes');
  try {
    const folder = join(dir.dir, 'Backup');
    mkdirSync(folder);
    const file = join(folder, 'mallory.ceb');
    const rows = [
      { table: 'accounts' as const, values: { uuid: 'u', username, server, options: 2 } },
    ];
    writeFileSync(file, await writtenBackup(rows, { jid, password: 'pw', timestamp: 2n ** 62n }));
    const shown = 'mallory\\x1b[2J\\x1b]0;owned\\x07@evil.example';
    const runs = [
      await runFerry(['inspect', file]),
      await runFerry(['--profile', join(dir.dir, 'p'), 'backup', 'list', folder]),
      await runFerry(['verify', file], { FERRY_PASSWORD: 'pw' }),
    ];
    for (const r of runs) {
      assert.equal(r.code, 0, r.stderr);
      // eslint-disable-next-line no-control-regex -- looking for raw control characters
      assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f]/.test(r.stdout + r.stderr), JSON.stringify(r));
      assert.ok(r.stdout.includes(shown), r.stdout);
    }
    assert.match(runs[0]?.stdout ?? '', /created: {2}4611686018427387904/);
    assert.match(runs[1]?.stdout ?? '', /4611686018427387904 ms/);
  } finally {
    dir.cleanup();
  }
});
