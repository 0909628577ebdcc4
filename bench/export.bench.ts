// Exporting a large backup: time and peak memory of `ferry export` for each format.
//   npx tsx bench/export.bench.ts [messages…]      (default: 100000 1000000)
// Each export runs in a child process so its peak RSS is its own; each runs twice, once with
// Node's default heap (V8 collects lazily, so RSS includes garbage) and once with the JavaScript heap
// capped, which only succeeds if memory does not grow with the number of messages. Prints a markdown table.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeBackupFile, type DbRow } from '@ferry/ceb-format';
import { exportBackupFile } from '../src/export/export-chats.js';
import type { ExportFormat } from '../src/export/render-account.js';

const OUT = join(import.meta.dirname, 'out');
const PASSWORD = 'bench password';
const FORMATS: ExportFormat[] = ['txt', 'html', 'json', 'sqlite'];
const CAPPED_HEAP_MIB = 128;
const WORDS =
  'hello see you tomorrow ok thanks 😀 שלום привет 你好 <b>bold</b> "quoted" it\'s late'.split(' ');

function* rows(messages: number): Generator<DbRow> {
  const account = 'a0000000-0000-4000-8000-000000000000';
  yield {
    table: 'accounts',
    values: {
      uuid: account,
      username: 'bench',
      server: 'example.org',
      password: PASSWORD,
      options: 0,
      keys: '{}',
      port: 5222,
    },
  };
  const conversations = 50;
  for (let c = 0; c < conversations; c++) {
    const group = c % 5 === 0;
    yield {
      table: 'conversations',
      values: {
        uuid: `c${String(c).padStart(7, '0')}-0000-4000-8000-000000000000`,
        name: group ? `Room ${c}` : null,
        contactUuid: null,
        accountUuid: account,
        contactJid: group ? `room${c}@conference.example.org` : `friend${c}@example.net`,
        created: '1577836800000',
        status: '0',
        mode: group ? '1' : '0',
        attributes: '{}',
      },
    };
  }
  const start = 1577836800000;
  for (let i = 0; i < messages; i++) {
    const c = i % conversations;
    const group = c % 5 === 0;
    const words = 3 + (i % 12);
    let body = '';
    for (let w = 0; w < words; w++)
      body += `${w ? ' ' : ''}${WORDS[(i * 7 + w * 3) % WORDS.length]}`;
    if (i % 17 === 0) body += '\nsecond line';
    yield {
      table: 'messages',
      values: {
        uuid: `m${String(i).padStart(9, '0')}-0000-4000-8000-000000000000`,
        conversationUuid: `c${String(c).padStart(7, '0')}-0000-4000-8000-000000000000`,
        timeSent: String(start + i * 30000),
        counterpart: group
          ? `room${c}@conference.example.org/nick${i % 7}`
          : `friend${c}@example.net/phone`,
        trueCounterpart: null,
        body,
        encryption: i % 3 === 0 ? '5' : '0',
        status: i % 2 === 0 ? '0' : '8',
        type: '0',
        relativeFilePath: null,
        serverMsgId: String(1000000 + i),
        axolotl_fingerprint: null,
        carbon: '0',
        edited: '[]',
        read: '1',
        oob: '0',
        errorMsg: null,
        readByMarkers: '[]',
        markable: '0',
        remoteMsgId: `r${i}`,
        deleted: '0',
        bodyLanguage: null,
      },
    };
  }
}

async function backupFile(messages: number): Promise<string> {
  const file = join(OUT, `export-${messages}.ceb`);
  if (!existsSync(file)) {
    mkdirSync(OUT, { recursive: true });
    await writeBackupFile(file, { jid: 'bench@example.org', password: PASSWORD }, rows(messages));
  }
  return file;
}

async function child(file: string, format: ExportFormat, outDir: string): Promise<void> {
  const t0 = performance.now();
  const r = await exportBackupFile(file, PASSWORD, { format, outDir, timeZone: 'Europe/Berlin' });
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(
    JSON.stringify({ seconds, maxRssKiB: process.resourceUsage().maxRSS, messages: r.messages }),
  );
}

function duSize(path: string): number {
  const r = spawnSync('du', ['-sb', path], { encoding: 'utf8' });
  return Number(r.stdout.split('\t')[0]);
}

async function main(): Promise<void> {
  const sizes = process.argv
    .slice(2)
    .map(Number)
    .filter((n) => n > 0);
  const lines = [
    `| messages | backup size | format | time (s) | messages/s | peak RSS (MiB) | peak RSS, heap capped at ${CAPPED_HEAP_MIB} MiB | output size (MiB) |`,
    '|---:|---:|---|---:|---:|---:|---:|---:|',
  ];
  for (const messages of sizes.length ? sizes : [100_000, 1_000_000]) {
    const file = await backupFile(messages);
    for (const format of FORMATS) {
      const outDir = join(OUT, `export-${messages}-${format}`);
      rmSync(outDir, { recursive: true, force: true });
      const run = (nodeArgs: string[]) => {
        rmSync(outDir, { recursive: true, force: true });
        const r = spawnSync(
          process.execPath,
          [...nodeArgs, '--import', 'tsx', import.meta.filename, '--child', file, format, outDir],
          { encoding: 'utf8', maxBuffer: 1 << 20 },
        );
        if (r.status !== 0) throw new Error(`child failed: ${r.stderr}`);
        return JSON.parse(r.stdout) as { seconds: number; maxRssKiB: number; messages: number };
      };
      // With a capped JavaScript heap: succeeds only if nothing grows with the number of messages.
      const capped = run([`--max-old-space-size=${CAPPED_HEAP_MIB}`]);
      const m = run([]);
      lines.push(
        `| ${messages.toLocaleString('en-US')} | ${(statSync(file).size / 2 ** 20).toFixed(1)} MiB | ${format} | ` +
          `${m.seconds.toFixed(1)} | ${Math.round(m.messages / m.seconds).toLocaleString('en-US')} | ` +
          `${(m.maxRssKiB / 1024).toFixed(0)} | ${(capped.maxRssKiB / 1024).toFixed(0)} | ` +
          `${(duSize(outDir) / 2 ** 20).toFixed(0)} |`,
      );
      process.stderr.write(`${lines[lines.length - 1]}\n`);
      rmSync(outDir, { recursive: true, force: true });
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

if (process.argv[2] === '--child') {
  await child(
    process.argv[3] ?? '',
    (process.argv[4] ?? 'txt') as ExportFormat,
    process.argv[5] ?? '',
  );
} else {
  await main();
}
