// `backup create` and `backup import` of a large profile: time and peak memory, with the floors
// measured in the same run (what the same work costs without ferry's flow around it).
//   npx tsx bench/migration.bench.ts [messages]        (default: 1000000)
// Every measurement runs in a child process of its own so its peak RSS is its own. Prints a
// markdown table; the numbers for docs/performance.md come from this.
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdirSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { createGunzip, createGzip } from 'node:zlib';
import { deriveKey, readHeader } from '@ferry/ceb-format';
import { listAccounts } from '../src/store/accounts.js';
import { readBackupRows } from '../src/store/backup-rows.js';
import { openProfile, openProfileDatabase, profileDatabasePath } from '../src/store/profile.js';
import { createBackups } from '../src/migration/create-backup.js';
import { importBackup } from '../src/migration/import-backup.js';
import { addSyntheticAccount } from '../src/migration/testing/synthetic-profile.js';

const OUT = join(import.meta.dirname, 'out', 'migration');
const PASSWORD = 'bench password';
const JID = 'bench@example.org';

interface Measure {
  seconds: number;
  maxRssMiB: number;
  note?: string;
}

let started = performance.now();

function report(note?: string): void {
  const seconds = (performance.now() - started) / 1000;
  const maxRssMiB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify({ seconds, maxRssMiB, note })}\n`);
}

/** A sink that only counts. */
function counter(): Writable & { bytes: number } {
  const w = new Writable({
    write(chunk: Buffer, _enc, cb) {
      w.bytes += chunk.length;
      cb();
    },
  }) as Writable & { bytes: number };
  w.bytes = 0;
  return w;
}

async function decryptBody(file: string, sink: NodeJS.WritableStream): Promise<void> {
  const { header, headerLength, fileSize } = await readHeader(file);
  const key = await deriveKey(PASSWORD, header.salt);
  const fh = await open(file, 'r');
  const tag = Buffer.alloc(16);
  await fh.read(tag, 0, 16, fileSize - 16);
  await fh.close();
  const decipher = createDecipheriv('aes-128-gcm', key, header.iv);
  decipher.setAuthTag(tag);
  await pipeline(
    createReadStream(file, { start: headerLength, end: fileSize - 17, highWaterMark: 256 * 1024 }),
    decipher,
    createGunzip(),
    sink,
  );
}

async function child(op: string, args: string[]): Promise<void> {
  const [a = '', b = '', c = ''] = args;
  started = performance.now(); // modules are loaded: time the operation only
  switch (op) {
    case 'create': {
      const profile = openProfile(a);
      await createBackups(profile, { outDir: b, format: Number(c) as 1 | 2, keep: 1 });
      profile.close();
      report();
      return;
    }
    case 'import': {
      const profile = openProfile(a);
      const r = await importBackup(profile, b, PASSWORD);
      profile.close();
      report(`${r.messages} messages`);
      return;
    }
    case 'read-floor': {
      // Reading the account's rows from SQLite, nothing else.
      const db = openProfileDatabase(a, { readonly: true });
      const uuid = String(db.prepare('SELECT uuid FROM accounts').pluck().get());
      db.exec('BEGIN');
      let n = 0;
      for (const row of readBackupRows(db, uuid)) if (row.values) n++;
      db.exec('COMMIT');
      db.close();
      report(`${n} rows`);
      return;
    }
    case 'encrypt-floor': {
      // gzip + AES-GCM of the plaintext body (read from a file), written nowhere.
      const key = await deriveKey(PASSWORD, randomBytes(16));
      const cipher = createCipheriv('aes-128-gcm', key, randomBytes(12));
      const sink = counter();
      await pipeline(
        createReadStream(a, { highWaterMark: 256 * 1024 }),
        createGzip(),
        cipher,
        sink,
      );
      report(`${(sink.bytes / 2 ** 20).toFixed(1)} MiB out`);
      return;
    }
    case 'decrypt-floor': {
      // AES-GCM + gunzip of the backup file, the plaintext thrown away.
      const sink = counter();
      await decryptBody(a, sink);
      report(`${(sink.bytes / 2 ** 20).toFixed(0)} MiB plaintext`);
      return;
    }
    case 'insert-floor': {
      // Copying the same rows into an empty profile with one SQL statement per table.
      const profile = openProfile(a);
      profile.db.exec(`ATTACH DATABASE '${profileDatabasePath(b).replace(/'/g, "''")}' AS src`);
      profile.db.exec('BEGIN');
      for (const t of [
        'accounts',
        'conversations',
        'messages',
        'prekeys',
        'signed_prekeys',
        'sessions',
        'identities',
      ]) {
        profile.db.exec(`INSERT INTO main.${t} SELECT * FROM src.${t}`);
      }
      profile.db.exec('COMMIT');
      const n = Number(profile.db.prepare('SELECT count(*) FROM main.messages').pluck().get());
      profile.close();
      report(`${n} messages`);
      return;
    }
    default:
      throw new Error(`unknown child operation ${op}`);
  }
}

function run(op: string, ...args: string[]): Measure {
  return runWith([], op, ...args);
}

/** Like run, with extra node flags (e.g. a capped heap). */
function runWith(nodeFlags: string[], op: string, ...args: string[]): Measure {
  const r = spawnSync(
    process.execPath,
    [...nodeFlags, '--import', 'tsx', import.meta.filename, '--child', op, ...args],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    },
  );
  if (r.status !== 0) throw new Error(`${op} failed: ${r.stderr}`);
  const line = r.stdout.trim().split('\n').pop() ?? '{}';
  return JSON.parse(line) as Measure;
}

async function parent(messages: number): Promise<void> {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const oldDir = join(OUT, 'old');
  const t0 = performance.now();
  const profile = openProfile(oldDir);
  addSyntheticAccount(profile, JID, PASSWORD, messages);
  profile.db.pragma('wal_checkpoint(TRUNCATE)');
  const uuid = listAccounts(profile.db)[0]?.uuid;
  profile.close();
  const dbSize = statSync(profileDatabasePath(oldDir)).size;
  process.stderr.write(
    `profile with ${messages} messages built in ${((performance.now() - t0) / 1000).toFixed(1)} s (${uuid})\n`,
  );

  const rows: string[] = [];
  const line = (what: string, m: Measure, note = m.note ?? ''): void => {
    rows.push(`| ${what} | ${m.seconds.toFixed(1)} | ${Math.round(m.maxRssMiB)} | ${note} |`);
    process.stderr.write(`${rows[rows.length - 1]}\n`);
  };

  line('floor: read the rows from SQLite', run('read-floor', oldDir));
  for (const format of [2, 1]) {
    const outDir = join(OUT, `backup-v${format}`);
    const created = run('create', oldDir, outDir, String(format));
    const file = join(outDir, (await import('node:fs')).readdirSync(outDir)[0] ?? '');
    line(
      `**backup create**, format ${format}`,
      created,
      `${(statSync(file).size / 2 ** 20).toFixed(1)} MiB file`,
    );
    const plain = join(OUT, `plain-v${format}`);
    await decryptBody(file, createWriteStream(plain));
    line(
      `floor: gzip + AES-GCM of the body, format ${format}`,
      run('encrypt-floor', plain),
      `${(statSync(plain).size / 2 ** 20).toFixed(0)} MiB body`,
    );
    rmSync(plain);
    line(`floor: AES-GCM + gunzip of the file, format ${format}`, run('decrypt-floor', file));
    const newDir = join(OUT, `new-v${format}`);
    line(`**backup import**, format ${format}`, run('import', newDir, file));
    rmSync(newDir, { recursive: true, force: true });
    // With the JavaScript heap capped: succeeds only if nothing in memory grows with the messages.
    line(
      `backup import, format ${format}, heap capped at 128 MiB`,
      runWith(['--max-old-space-size=128'], 'import', newDir, file),
    );
    rmSync(newDir, { recursive: true, force: true });
  }
  const copyDir = join(OUT, 'copy');
  line(
    'floor: insert the rows into an empty profile (one SQL copy per table)',
    run('insert-floor', copyDir, oldDir),
  );

  process.stdout.write(
    `\n${messages.toLocaleString('en-US')} messages in 8 conversations; profile database ${(dbSize / 2 ** 20).toFixed(0)} MiB; ` +
      `node ${process.version}, ${(await import('node:os')).cpus().length} CPUs\n\n` +
      '| operation | time (s) | peak RSS (MiB) | |\n|---|---:|---:|---|\n' +
      `${rows.join('\n')}\n`,
  );
  rmSync(OUT, { recursive: true, force: true });
}

const argv = process.argv.slice(2);
if (argv[0] === '--child') {
  await child(argv[1] ?? '', argv.slice(2));
} else {
  await parent(Number(argv[0] ?? 1_000_000));
}
