// Verify and decrypt of a large backup: throughput and peak RSS, next to the floor (AES-GCM
// decryption + gunzip alone, no parsing) measured in the same run.
//   npx tsx bench/format.bench.ts [messages] [version]      (default: 1000000 2)
// Builds the backup with the library's writer from bench/synthetic.ts, then runs each measurement
// in its own child process (so peak RSS is its own): the floor, `ferry verify` and
// `ferry decrypt --out` (through the CLI's main), the two commands once more with the JavaScript
// heap capped at 128 MiB (they only finish if memory stays flat). Prints a markdown table.
import { spawnSync } from 'node:child_process';
import { createDecipheriv } from 'node:crypto';
import { createReadStream, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { deriveKey, readHeader, writeBackupFile } from '@ferry/ceb-format';
import { syntheticAccountRows } from './synthetic.js';

const OUT = join(import.meta.dirname, 'out');
const PASSWORD = 'bench password';
const JID = 'bench@example.org';
const MIB = 1024 * 1024;

interface Measurement {
  seconds: number;
  maxRssKiB: number;
  plainBytes?: number;
}

/** Child: the floor — decrypt and gunzip the body, counting bytes, nothing else. */
async function floor(file: string): Promise<void> {
  const started = process.hrtime.bigint();
  const { header, headerLength, fileSize } = await readHeader(file);
  const key = await deriveKey(PASSWORD, header.salt);
  const decipher = createDecipheriv('aes-128-gcm', key, header.iv);
  const gunzip = createGunzip();
  let plainBytes = 0;
  gunzip.on('data', (d: Buffer) => (plainBytes += d.length));
  const ended = new Promise((resolve, reject) => gunzip.on('end', resolve).on('error', reject));
  const stream = createReadStream(file, {
    start: headerLength,
    end: fileSize - 17,
    highWaterMark: 256 * 1024,
  });
  for await (const chunk of stream) {
    if (!gunzip.write(decipher.update(chunk as Buffer)))
      await new Promise((r) => gunzip.once('drain', r));
  }
  const tag = Buffer.alloc(16);
  const fh = await (await import('node:fs/promises')).open(file, 'r');
  await fh.read(tag, 0, 16, fileSize - 16);
  await fh.close();
  decipher.setAuthTag(tag);
  gunzip.end(decipher.final());
  await ended;
  report(started, plainBytes);
}

/** Child: one `ferry` command through the CLI's main. */
async function cli(args: string[]): Promise<void> {
  const { main } = await import('../src/cli/main.js');
  const started = process.hrtime.bigint(); // start-up (module loading) excluded
  const code = await main(['node', 'ferry', ...args]);
  if (code !== 0) process.exit(code);
  report(started);
}

function report(started: bigint, plainBytes?: number): void {
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const m: Measurement = { seconds, maxRssKiB: process.resourceUsage().maxRSS, plainBytes };
  process.stderr.write(`\nRESULT ${JSON.stringify(m)}\n`);
}

function runChild(args: string[], heapMiB?: number): Measurement {
  const node = [...(heapMiB ? [`--max-old-space-size=${heapMiB}`] : []), '--import', 'tsx'];
  const r = spawnSync(process.execPath, [...node, import.meta.filename, '--child', ...args], {
    env: { ...process.env, FERRY_PASSWORD: PASSWORD },
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
    maxBuffer: 64 * MIB,
  });
  const line = r.stderr.split('\n').find((l) => l.startsWith('RESULT '));
  if (r.status !== 0 || line === undefined) {
    throw new Error(`child ${args.join(' ')} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  }
  return JSON.parse(line.slice('RESULT '.length)) as Measurement;
}

async function parent(messages: number, version: 1 | 2): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const file = join(OUT, `format-${messages}-v${version}.ceb`);
  const jsonl = join(OUT, `format-${messages}-v${version}.jsonl`);
  const t0 = process.hrtime.bigint();
  await writeBackupFile(
    file,
    { jid: JID, password: PASSWORD, version },
    syntheticAccountRows({ jid: JID, password: PASSWORD, messages }),
  );
  const writeSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const fileBytes = statSync(file).size;
  const rowCount = messages + 1 + 20 + 100 + 1 + 16 + 1;

  const base = runChild(['floor', file]);
  const plain = base.plainBytes ?? 0;
  const rows: [string, Measurement][] = [
    ['floor: AES-GCM decrypt + gunzip only', base],
    ['`ferry verify`', runChild(['cli', 'verify', file])],
    ['`ferry decrypt --out`', runChild(['cli', 'decrypt', file, '--out', jsonl])],
    ['`ferry verify`, JS heap capped at 128 MiB', runChild(['cli', 'verify', file], 128)],
    [
      '`ferry decrypt --out`, JS heap capped at 128 MiB',
      runChild(['cli', 'decrypt', file, '--out', jsonl], 128),
    ],
  ];
  const jsonlBytes = statSync(jsonl).size;
  rmSync(jsonl, { force: true });

  const mb = (b: number): string => (b / MIB).toFixed(1);
  console.log(
    `Backup: ${messages.toLocaleString('en-US')} messages (${rowCount.toLocaleString('en-US')} rows), format ${version}: ` +
      `file ${mb(fileBytes)} MiB, body ${mb(plain)} MiB uncompressed, JSON lines out ${mb(jsonlBytes)} MiB; ` +
      `written in ${writeSeconds.toFixed(1)} s (${mb(plain / writeSeconds)} MiB/s of body).\n`,
  );
  console.log('| run | time (s) | file MiB/s | body MiB/s | rows/s | peak RSS (MiB) |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const [name, m] of rows) {
    console.log(
      `| ${name} | ${m.seconds.toFixed(2)} | ${mb(fileBytes / m.seconds)} | ${mb(plain / m.seconds)} | ` +
        `${name.startsWith('floor') ? '–' : Math.round(rowCount / m.seconds).toLocaleString('en-US')} | ` +
        `${(m.maxRssKiB / 1024).toFixed(0)} |`,
    );
  }
  rmSync(file, { force: true });
}

const argv = process.argv.slice(2);
if (argv[0] === '--child') {
  const [mode, ...rest] = argv.slice(1);
  if (mode === 'floor') await floor(rest[0] as string);
  else await cli(rest);
} else {
  const messages = Number(argv[0] ?? 1_000_000);
  const version = Number(argv[1] ?? 2) === 1 ? 1 : 2;
  await parent(messages, version);
}
