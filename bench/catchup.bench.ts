/**
 * Archive catch-up speed: a real Prosody holds 10,000 messages the profile hasn't seen; `sync`
 * pages through them (MAM), deduplicates and stores each in SQLite. Each measured sync runs in a
 * child process so its peak RSS is ferry's alone.
 *
 *   npx tsx bench/catchup.bench.ts [messages]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openProfile } from '../src/store/profile.js';
import { addAccount } from '../src/store/accounts.js';
import { Engine } from '../src/xmpp/engine.js';
import { startProsody } from '../src/xmpp/testing/prosody.js';
import { connectContact } from '../src/xmpp/testing/contact.js';

interface WorkerResult {
  received: number;
  ms: number;
  maxRssMiB: number;
  cpuMs: number;
}

async function worker(profileDir: string, pageSize: number): Promise<void> {
  const profile = openProfile(profileDir);
  const started = performance.now();
  const [report] = await new Engine(profile, { catchup: { pageSize } }).sync();
  const ms = performance.now() - started;
  profile.close();
  if (!report || report.error) throw new Error(report?.error ?? 'no account');
  const result: WorkerResult = {
    received: report.received.length,
    ms,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    cpuMs: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
  };
  process.stdout.write(JSON.stringify(result) + '\n');
}

async function main(): Promise<void> {
  const total = Number(process.argv[2] ?? 10_000);
  const pageSizes = [50, 250];
  const server = await startProsody();
  const dir = mkdtempSync(join(tmpdir(), 'ferry-bench-catchup-'));
  try {
    await server.register('alice', 'pw-a');
    await server.register('bob', 'pw-b');
    const alice = `alice@${server.domain}`;
    const bob = await connectContact(server, 'bob', 'pw-b');
    // Alice's phone stays online so the messages are archived, not held for offline delivery.
    const phone = await connectContact(server, 'alice', 'pw-a', 'phone');
    await bob.say(alice, 'before');
    await phone.waitForMessages(1);

    // One profile per run, each knowing only the first message (the catch-up's start).
    const profiles = pageSizes.map((size) => {
      const p = join(dir, `profile-${size}`);
      const profile = openProfile(p);
      addAccount(profile.db, {
        jid: alice,
        password: 'pw-a',
        // 127.0.0.1 and the port; this Prosody has no TLS, so the loopback opt-in (docs/chat.md)
        ...server.accountOptions,
      });
      return { size, dir: p, profile };
    });
    for (const p of profiles) {
      await new Engine(p.profile, { catchup: { firstConnectWindow: 1 } }).sync();
      p.profile.close();
    }

    const fillStart = performance.now();
    for (let i = 1; i <= total; i++) await bob.say(alice, `message ${i} of the benchmark archive`);
    await phone.waitForMessages(total + 1, undefined, 600_000);
    const fillMs = performance.now() - fillStart;
    await phone.stop();
    await bob.stop();

    const self = fileURLToPath(import.meta.url);
    const rows: string[] = [];
    for (const p of profiles) {
      const run = spawnSync(
        process.execPath,
        ['--import', 'tsx', self, '--worker', p.dir, String(p.size)],
        { encoding: 'utf8' },
      );
      if (run.status !== 0) throw new Error(run.stderr);
      const r = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as WorkerResult;
      rows.push(
        `| ${total} | ${p.size} | ${r.received} | ${(r.ms / 1000).toFixed(2)} | ${Math.round(
          (r.received / r.ms) * 1000,
        )} | ${(r.cpuMs / 1000).toFixed(2)} | ${r.maxRssMiB.toFixed(0)} |`,
      );
    }
    process.stdout.write(
      `Archive filled with ${total} messages in ${(fillMs / 1000).toFixed(1)} s\n\n` +
        '| archived messages | page size | stored | seconds | messages/s | ferry CPU s | peak RSS (MiB) |\n' +
        '|---:|---:|---:|---:|---:|---:|---:|\n' +
        rows.join('\n') +
        '\n',
    );
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--worker') {
  await worker(process.argv[3] ?? '', Number(process.argv[4] ?? 250));
} else {
  await main();
}
