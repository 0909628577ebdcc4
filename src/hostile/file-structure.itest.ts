// Hostile input that attacks the file's structure, through the command line as a user runs it:
// a damaged file ends with the damaged-file error (exit 4) on verify, import and decrypt.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseHeader } from '../format/index.js';
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
