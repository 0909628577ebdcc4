// OMEMO archive catch-up: a contact sends N OMEMO messages while the account is offline; the
// account's device then connects and catches up from the server archive (real Prosody, real
// engine, real OMEMO decryption and storage). Also the decryption layer alone (no network).
//   npx tsx bench/omemo.bench.ts [messages]        (default: 10000)
// The catch-up runs in a child process of its own so its peak RSS is its own. Prints a markdown
// table; the numbers in docs/performance.md come from this.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, type Element } from 'ltx';
import { addAccount } from '../src/store/accounts.js';
import { openProfile } from '../src/store/profile.js';
import { Engine } from '../src/xmpp/engine.js';
import { startProsody } from '../src/xmpp/testing/prosody.js';
import { OmemoCrypto } from '../src/omemo/omemo-crypto.js';
import { OmemoAccount } from '../src/omemo/omemo-account.js';
import { ProfileSignalStore } from '../src/omemo/profile-store.js';
import { bundleElement, parseBundle } from '../src/omemo/bundle.js';
import { processPreKeyBundle } from '../src/omemo/session-builder.js';

const SELF = fileURLToPath(import.meta.url);
const fast = { backoff: { initialMs: 50, maxMs: 400 }, watchAccountsMs: 0 };

function mib(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/** Child: open the profile, sync the account (catch-up), report time, RSS and what was stored. */
async function catchupChild(dir: string, jid: string): Promise<void> {
  const profile = openProfile(dir);
  const engine = new Engine(profile, { ...fast, crypto: new OmemoCrypto(profile.db) });
  const t0 = performance.now();
  const [report] = await engine.sync(jid);
  const seconds = (performance.now() - t0) / 1000;
  const counts = profile.db
    .prepare('SELECT encryption, COUNT(*) AS n FROM messages WHERE status = 0 GROUP BY encryption')
    .all() as { encryption: number; n: number }[];
  await engine.stop();
  profile.close();
  process.stdout.write(
    `${JSON.stringify({ seconds, maxRssMiB: mib(), caughtUp: report?.caughtUp, counts })}\n`,
  );
}

/** Decryption layer only: N messages from an in-database peer, decrypted and sessions stored. */
async function layerOnly(n: number, dir: string): Promise<{ seconds: number }> {
  const make = (name: string) => {
    const profile = openProfile(join(dir, name));
    const row = addAccount(profile.db, { jid: `${name}@example.org`, password: 'pw' });
    return { profile, store: new ProfileSignalStore(profile.db, row.uuid, `${name}@example.org`) };
  };
  const alice = make('alice');
  const bob = make('bob');
  await alice.store.generateKeys();
  await bob.store.generateKeys();
  const aliceAddr = { name: 'alice@example.org', deviceId: alice.store.getLocalRegistrationId() };
  await processPreKeyBundle(
    bob.store,
    aliceAddr,
    parseBundle(bundleElement(alice.store), aliceAddr.deviceId),
  );
  const sender = new OmemoAccount(bob.store);
  const receiver = new OmemoAccount(alice.store);
  const stanzas: Element[] = [];
  for (let i = 0; i < n; i++) {
    const m = parse(`<message from='bob@example.org/b' to='alice@example.org'/>`) as Element;
    m.cnode(sender.encrypt(`message ${i}`, [aliceAddr]).element as never);
    stanzas.push(m);
  }
  const t0 = performance.now();
  for (const m of stanzas) {
    const r = receiver.decrypt(m, 'bob@example.org');
    if (r.outcome !== 'plaintext') throw new Error(`unexpected ${r.outcome}`);
  }
  const seconds = (performance.now() - t0) / 1000;
  alice.profile.close();
  bob.profile.close();
  return { seconds };
}

async function main(): Promise<void> {
  if (process.argv[2] === '--catchup') {
    await catchupChild(process.argv[3] ?? '', process.argv[4] ?? '');
    return;
  }
  const n = Number(process.argv[2] ?? 10000);
  const dir = mkdtempSync(join(tmpdir(), 'ferry-omemo-bench-'));
  // Offline delivery off: what is measured is the catch-up from the archive (MAM).
  const server = await startProsody({
    extraGlobalConfig: 'modules_disabled = { "s2s", "tls", "offline" }',
  });
  try {
    await server.register('alice', 'pw-alice');
    await server.register('bob', 'pw-bob');
    const alice = `alice@${server.domain}`;
    const bob = `bob@${server.domain}`;
    const profiles = { alice: join(dir, 'alice'), bob: join(dir, 'bob') };
    for (const [user, pdir] of Object.entries(profiles)) {
      const p = openProfile(pdir);
      addAccount(p.db, {
        jid: `${user}@${server.domain}`,
        password: `pw-${user}`,
        // 127.0.0.1 and the port; this Prosody has no TLS, so the loopback opt-in (docs/chat.md)
        ...server.accountOptions,
      });
      p.close();
    }
    // Alice's device publishes its keys and receives one message (her archive position), then
    // goes offline; Bob sends N OMEMO messages; Alice's device catches up from the archive.
    const pa = openProfile(profiles.alice);
    const ea = new Engine(pa, { ...fast, crypto: new OmemoCrypto(pa.db) });
    const aliceReady = new Promise((r) => ea.once('catchup-done', r));
    await ea.start();
    await aliceReady;
    const p = openProfile(profiles.bob);
    const e = new Engine(p, { ...fast, crypto: new OmemoCrypto(p.db) });
    const ready = new Promise((r) => e.once('catchup-done', r));
    await e.start();
    await ready;
    const first = new Promise((r) => ea.once('message', r));
    await e.sendMessage(bob, alice, 'before going offline');
    await first;
    await ea.stop();
    pa.close();
    const s0 = performance.now();
    for (let i = 0; i < n; i++) await e.sendMessage(bob, alice, `archived message ${i}`);
    await e.flush(bob);
    const sendSeconds = (performance.now() - s0) / 1000;
    await e.stop();
    p.close();

    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', SELF, '--catchup', profiles.alice, alice],
      {
        encoding: 'utf8',
        maxBuffer: 1 << 24,
      },
    );
    if (child.status !== 0) throw new Error(`catch-up child failed: ${child.stderr}`);
    const lastLine = child.stdout.trim().split('\n').pop() ?? '{}';
    const result = JSON.parse(lastLine) as {
      seconds: number;
      maxRssMiB: number;
      caughtUp: boolean;
      counts: { encryption: number; n: number }[];
    };
    const decrypted = (result.counts.find((c) => c.encryption === 5)?.n ?? 0) - 1;
    const failed = result.counts.filter((c) => c.encryption !== 5).reduce((a, c) => a + c.n, 0);
    const layer = await layerOnly(n, join(dir, 'layer'));

    const rows = [
      ['| measurement | messages | seconds | messages/s | peak RSS (MiB) | notes |'],
      ['|---|---:|---:|---:|---:|---|'],
      [
        `| bob sends (engine + OMEMO encrypt, Prosody) | ${n} | ${sendSeconds.toFixed(1)} | ${(n / sendSeconds).toFixed(0)} | – | waits for each send; device lists cached |`,
      ],
      [
        `| **alice catch-up from the archive** (sync: MAM + decrypt + store) | ${n} | ${result.seconds.toFixed(1)} | ${(n / result.seconds).toFixed(0)} | ${result.maxRssMiB.toFixed(0)} | stored decrypted: ${decrypted}, other: ${failed}, caught up: ${result.caughtUp} |`,
      ],
      [
        `| decryption layer alone (parse + Signal + AES-GCM + session to SQLite) | ${n} | ${layer.seconds.toFixed(1)} | ${(n / layer.seconds).toFixed(0)} | – | no network, no message rows |`,
      ],
    ];
    process.stdout.write(`${rows.map((r) => r.join('')).join('\n')}\n`);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
