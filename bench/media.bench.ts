// `backup create --with-media` and `backup import` with 1 GiB of media: throughput and peak memory.
//   npx tsx bench/media.bench.ts [MiB]          (default: 1024)
// Every measurement runs in a child process of its own so its peak RSS is its own. Prints a
// markdown table; the numbers in docs/performance.md (## Media companion) come from this.
import { spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBackups } from '../src/migration/create-backup.js';
import { importBackup } from '../src/migration/import-backup.js';
import {
  restoreCompanionForImport,
  writeCompanionForBackup,
} from '../src/migration/media/backup-media.js';
import { mediaFilePath } from '../src/migration/media/layout.js';
import { openProfile } from '../src/store/profile.js';

const SELF = fileURLToPath(import.meta.url);
const OUT = join(dirname(SELF), 'out', 'media');
const PASSWORD = 'bench password';
const MiB = 1 << 20;

interface Measure {
  seconds: number;
  maxRssMiB: number;
  detail: string;
}

/** Files like a phone's: a few videos, many pictures, more small documents (sizes scale with total). */
function plan(totalMiB: number): { path: string; bytes: number }[] {
  const scale = totalMiB / 1024;
  const files: { path: string; bytes: number }[] = [];
  const add = (count: number, bytes: number, name: (i: number) => string): void => {
    for (let i = 0; i < Math.max(1, Math.round(count * scale)); i++)
      files.push({ path: name(i), bytes });
  };
  add(8, 64 * MiB, (i) => `Conversations Videos/VID_2026_${i}.mp4`);
  add(128, 3 * MiB, (i) => `Conversations Images/IMG_2026_${i}.jpg`);
  add(
    256,
    MiB / 2,
    (i) => `/storage/emulated/0/Conversations/Media/Conversations Documents/doc ${i}.pdf`,
  );
  return files;
}

async function seed(dir: string, totalMiB: number): Promise<void> {
  const profile = openProfile(join(dir, 'old'));
  const account = randomUUID();
  profile.db
    .prepare(
      `INSERT INTO accounts (uuid, username, server, password, options, keys) VALUES (?, 'bench', 'example.org', ?, 0, '{}')`,
    )
    .run(account, PASSWORD);
  const conversation = randomUUID();
  profile.db
    .prepare(
      `INSERT INTO conversations (uuid, accountUuid, name, contactJid, created, status, mode, attributes)
       VALUES (?, ?, 'Bob', 'bob@example.org', 0, 0, 0, '{}')`,
    )
    .run(conversation, account);
  const insert = profile.db.prepare(
    `INSERT INTO messages (uuid, conversationUuid, timeSent, counterpart, body, encryption, status, type,
       relativeFilePath) VALUES (?, ?, ?, 'bob@example.org', 'https://up.example/x', 0, 0, 2, ?)`,
  );
  const block = randomBytes(MiB);
  let t = 1_700_000_000_000;
  for (const file of plan(totalMiB)) {
    insert.run(randomUUID(), conversation, t++, file.path);
    const at = mediaFilePath(profile.dir, file.path);
    mkdirSync(dirname(at), { recursive: true });
    const handle = await open(at, 'w');
    for (let done = 0; done < file.bytes;) {
      const n = Math.min(MiB, file.bytes - done);
      block.writeUInt32BE((t * 7919 + done) >>> 0, 0); // every block different
      await handle.write(block, 0, n);
      done += n;
    }
    await handle.close();
  }
  profile.close();
}

function folderBytes(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) total += statSync(join(e.parentPath, e.name)).size;
  }
  return total;
}

async function child(phase: string, dir: string): Promise<Measure> {
  const started = process.hrtime.bigint();
  let detail = '';
  if (phase === 'create') {
    const profile = openProfile(join(dir, 'old'));
    try {
      const result = await createBackups(profile, {
        outDir: join(dir, 'usb'),
        afterBackup: async (written, p) => {
          const media = await writeCompanionForBackup(p, written);
          detail = `${media.files} files, companion ${(media.bytes / MiB).toFixed(0)} MiB`;
        },
      });
      if (result.written.length !== 1) throw new Error('no backup written');
    } finally {
      profile.close();
    }
  } else if (phase === 'import') {
    const profile = openProfile(join(dir, 'new'));
    try {
      const ceb = readdirSync(join(dir, 'usb')).find((n) => n.endsWith('.ceb')) ?? '';
      const file = join(dir, 'usb', ceb);
      await importBackup(profile, file, PASSWORD, {
        afterImport: async (result, p) => {
          const media = await restoreCompanionForImport(p, result, `${file}.media`);
          if (media.damaged.length > 0 || media.conflicts.length > 0)
            throw new Error('restore failed');
          detail = `${media.restored.length} files restored`;
        },
      });
    } finally {
      profile.close();
    }
  } else if (phase === 'copy') {
    const r = spawnSync('cp', ['-r', join(dir, 'old', 'Media'), join(dir, 'copy')]);
    if (r.status !== 0) throw new Error('cp failed');
    detail = 'cp -r of the media folder (floor: no encryption)';
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { seconds, maxRssMiB: process.resourceUsage().maxRSS / 1024, detail };
}

function runChild(phase: string, dir: string): Measure {
  const r = spawnSync(process.execPath, ['--import', 'tsx', SELF, 'child', phase, dir], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`${phase} failed (${r.status})`);
  const last = r.stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last) as Measure;
}

async function mainBench(): Promise<void> {
  const totalMiB = Number(process.argv[2] ?? 1024);
  const dir = join(OUT, `run-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  try {
    process.stderr.write(`seeding ${totalMiB} MiB of media…\n`);
    await seed(dir, totalMiB);
    const media = folderBytes(join(dir, 'old', 'Media'));
    const rows: [string, Measure][] = [];
    for (const phase of ['copy', 'create', 'import']) {
      process.stderr.write(`${phase}…\n`);
      rows.push([phase, runChild(phase, dir)]);
    }
    const back = folderBytes(join(dir, 'new', 'Media'));
    if (back !== media) throw new Error(`restored ${back} bytes of ${media}`);
    console.log(`\nmedia: ${(media / MiB).toFixed(0)} MiB in ${plan(totalMiB).length} files\n`);
    console.log('| step | time (s) | MiB/s | peak RSS (MiB) | note |');
    console.log('|---|---:|---:|---:|---|');
    for (const [phase, m] of rows) {
      const name =
        phase === 'create'
          ? '`backup create --with-media` (.ceb + companion)'
          : phase === 'import'
            ? '`backup import` (.ceb + restore companion)'
            : 'copy by hand (`cp -r`)';
      console.log(
        `| ${name} | ${m.seconds.toFixed(1)} | ${(media / MiB / m.seconds).toFixed(0)} | ${m.maxRssMiB.toFixed(0)} | ${m.detail} |`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'child') {
  const m = await child(process.argv[3] ?? '', process.argv[4] ?? '');
  console.log(JSON.stringify(m));
} else {
  await mainBench();
}
