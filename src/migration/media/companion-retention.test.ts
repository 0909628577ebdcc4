import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeHeader } from '@ferry/ceb-format';
import { pruneBackups } from '../retention.js';

test("local retention (--keep) removes a pruned backup's media companion with it", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-keep-media-'));
  try {
    const names: string[] = [];
    for (const minute of [1, 2, 3]) {
      const name = `kim@example.org.2026-11-28-10-0${minute}.ceb`;
      const header = encodeHeader({
        version: 2,
        app: 'Conversations',
        jid: 'kim@example.org',
        timestamp: BigInt(Date.UTC(2026, 10, 28, 10, minute)),
        iv: randomBytes(12),
        salt: randomBytes(16),
      });
      await writeFile(join(dir, name), Buffer.concat([header, randomBytes(100)]));
      await writeFile(join(dir, `${name}.media`), 'companion');
      names.push(name);
    }
    const deleted = await pruneBackups(dir, 'kim@example.org', 2, join(dir, names[2] ?? ''));
    assert.deepEqual(deleted.sort(), [join(dir, names[0] ?? ''), join(dir, `${names[0]}.media`)]);
    assert.deepEqual((await readdir(dir)).sort(), [
      names[1],
      `${names[1]}.media`,
      names[2],
      `${names[2]}.media`,
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
