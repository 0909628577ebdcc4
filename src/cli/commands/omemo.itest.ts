// `ferry omemo fingerprints|trust|distrust` on a profile restored from the OMEMO fixture backup,
// run as a child process as a user would type it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFerry } from '../testing/run-ferry.js';

const BOB_FP = '058c8fae5bf850c820c327b365597e508024d1ea2dec587fc9168ff74ee7e6ac0d';

test('omemo fingerprints shows the restored device and the contact; trust and distrust change it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-omemo-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const profile = join(dir, 'profile');
  const env = { HOME: dir, FERRY_PASSWORD: 'alice-backup-password' };
  let r = await runFerry(
    ['--profile', profile, 'backup', 'import', 'test-data/omemo/alice.v2.ceb'],
    env,
  );
  assert.equal(r.code, 0, r.stderr);

  r = await runFerry(['--profile', profile, 'omemo', 'fingerprints'], env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /alice@example\.org — this device \(id 345823845\)/);
  assert.match(r.stdout, /d899792f 4dee99ba a28bb905 7d1676fc 4bd4cad3 845f73e1 a500d02a 2d518079/);
  assert.match(r.stdout, /bob@example\.org device 1168132655 — trusted/);

  r = await runFerry(['--profile', profile, 'omemo', 'fingerprints', '--json'], env);
  const json = JSON.parse(r.stdout) as {
    own: { deviceId: number; fingerprint: string };
    contacts: { jid: string; fingerprint: string; trust: string; devices: number[] }[];
  };
  assert.equal(json.own.deviceId, 345823845);
  assert.deepEqual(json.contacts, [
    {
      jid: 'bob@example.org',
      fingerprint: BOB_FP,
      trust: 'TRUSTED',
      active: true,
      devices: [1168132655],
    },
  ]);

  const shown = '8c8fae5b f850c820 c327b365 597e5080 24d1ea2d ec587fc9 168ff74e e7e6ac0d';
  r = await runFerry(['--profile', profile, 'omemo', 'trust', 'bob@example.org', shown], env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /verified/);
  r = await runFerry(
    ['--profile', profile, 'omemo', 'distrust', 'bob@example.org', BOB_FP, '--json'],
    env,
  );
  assert.deepEqual(JSON.parse(r.stdout), {
    jid: 'bob@example.org',
    fingerprint: BOB_FP,
    trust: 'UNTRUSTED',
  });

  r = await runFerry(['--profile', profile, 'omemo', 'trust', 'bob@example.org', 'abc'], env);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /not an OMEMO fingerprint/);
  r = await runFerry(['--profile', profile, 'omemo', 'trust', 'carol@example.org', BOB_FP], env);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /carol@example\.org has no device/);
});
