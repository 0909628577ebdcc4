// Hostile input that attacks through the media companion (`<backup>.ceb.media`): its header is
// read before any password check, so what it asks for must be bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CompanionDamagedError } from '../migration/media/errors.js';
import { openMediaCompanion } from '../migration/media/companion-reader.js';
import { MAX_ITERATIONS } from '../migration/media/companion-format.js';
import { writeMediaCompanion } from '../migration/media/companion-writer.js';
import { tempDir } from '../migration/testing/fixtures.js';
import { settlesWithin } from './testing/backups.js';

test('a companion asking for 2^31−1 or 2^32−1 key rounds is refused at once as damaged', async () => {
  const dir = tempDir('companion-rounds');
  try {
    const good = join(dir.dir, 'kim.ceb.media');
    await writeMediaCompanion(
      good,
      { password: 'pw', jid: 'kim@example.org', backupName: 'kim.ceb', iterations: 1000 },
      [],
    );
    for (const rounds of [2 ** 31 - 1, 2 ** 32 - 1, MAX_ITERATIONS + 1, 0]) {
      const bytes = readFileSync(good);
      bytes.writeUInt32BE(rounds, 12); // the header's iteration count
      const file = join(dir.dir, `rounds-${rounds}.ceb.media`);
      writeFileSync(file, bytes);
      await assert.rejects(
        settlesWithin(openMediaCompanion(file, 'pw'), 30_000, `opening with ${rounds} rounds`),
        (err: unknown) => {
          assert.ok(err instanceof CompanionDamagedError, String(err));
          assert.match((err as Error).message, new RegExp(`${rounds} key derivation rounds`));
          return true;
        },
      );
    }
    // What ferry writes is read.
    const companion = await openMediaCompanion(good, 'pw');
    assert.equal(companion.header.meta.jid, 'kim@example.org');
    await companion.close();
  } finally {
    dir.cleanup();
  }
});
