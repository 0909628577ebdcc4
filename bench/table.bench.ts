// The whole performance table in one run: ferry's `verify`, `backup import` and `backup create`
// next to the Conversations reference (../shared/conversations-ref: Conversations' own export and
// import algorithms on the JVM) and the floor (decrypt + gunzip only), on the same data, with the
// ratios the goals are stated in.
//
//   npm run bench -- table [messages] [--memory 10000,100000,1000000]
//   (default 1,000,000 messages; CEB_REF (or FERRY_CEB_REF)=path/to/ceb-ref, default
//   /work/shared/conversations-ref/ceb-ref; BENCH_DATA=folder for the generated data, default
//   bench/out/table/; each run's own files go to run-<pid>/ in it, removed at the end)
//
// Data: `ceb-ref gen` (60 conversations, OMEMO rows; deterministic, generated once and kept).
// Every measurement is a child process of its own, run through GNU time for wall time and peak
// RSS: ferry is the built CLI (`bin/ferry.js`, dist/), as a user runs it. The reference's import
// reads ferry's own file with `--strict`, which is also the check that ferry's file is one
// Conversations imports. `--memory` adds ferry's peak RSS at other sizes (ferry only).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = resolve(process.env.BENCH_DATA ?? join(ROOT, 'bench', 'out', 'table'));
/**
 * This run's own files (profiles, written backups, GNU time's output): several runs may share
 * BENCH_DATA's data at once, and must not remove each other's profile mid-run.
 */
const RUN = join(OUT, `run-${process.pid}`);
process.on('exit', () => rmSync(RUN, { recursive: true, force: true }));
const FERRY = join(ROOT, 'bin', 'ferry.js');
const FLOOR = join(ROOT, 'bench', 'floor.mjs');
const REF =
  process.env.CEB_REF ?? process.env.FERRY_CEB_REF ?? '/work/shared/conversations-ref/ceb-ref';
const JID = 'bench@example.org';
const PASSWORD = 'bench password';
const MIB = 1024 * 1024;

interface Run {
  seconds: number;
  rssMiB: number;
  stdout: string;
}

/** Runs a command under GNU time; throws with its stderr when it fails. */
function measure(command: string, args: string[], env: Record<string, string> = {}): Run {
  mkdirSync(RUN, { recursive: true });
  const timeFile = join(RUN, '.time');
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', '-o', timeFile, command, ...args], {
    env: { ...process.env, FERRY_PASSWORD: PASSWORD, ...env },
    encoding: 'utf8',
    maxBuffer: 64 * MIB,
  });
  if (r.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  }
  const [seconds = '0', kib = '0'] = readFileSync(timeFile, 'utf8').trim().split(/\s+/).slice(-2);
  return { seconds: Number(seconds), rssMiB: Number(kib) / 1024, stdout: r.stdout };
}

function ref(args: string[]): Run {
  return measure(REF, args);
}

function ferry(args: string[]): Run {
  return measure(process.execPath, [FERRY, ...args]);
}

function load(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}

/** `uptime`'s line (the machine's load as other tools report it), or the load average. */
function uptime(): string {
  const r = spawnSync('uptime', [], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : `load average: ${load()}`;
}

/** Reference data of `messages` messages (generated once, kept in bench/out/table/). */
function referenceData(messages: number): { db: string; ceb: string; genSeconds: number } {
  const db = join(OUT, `ref-${messages}.db`);
  const ceb = join(OUT, `ref-${messages}.ceb`);
  let genSeconds = 0;
  if (!existsSync(ceb)) {
    rmSync(db, { force: true });
    ref(['schema', '--db', db]);
    const gen = ref([
      'gen',
      '--db',
      db,
      '--seed',
      '1',
      '--accounts',
      '1',
      '--conversations',
      '60',
      '--messages',
      String(messages),
      '--omemo',
      '--jid',
      JID,
      '--password',
      PASSWORD,
    ]);
    genSeconds = gen.seconds;
    ref(['export', '--db', db, '--jid', JID, '--format', '2', '--out', ceb]);
  }
  return { db, ceb, genSeconds };
}

function freshDir(name: string): string {
  const dir = join(RUN, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

interface FerryRuns {
  verify: Run;
  importRun: Run;
  create: Run;
  created: string;
  profile: string;
}

/** ferry's runs per size, so that the memory column reuses the table's runs of its size. */
const ferryRunsAt = new Map<number, Omit<FerryRuns, 'created' | 'profile'>>();

/** ferry's three operations on reference data of one size. */
function ferryRuns(ceb: string): FerryRuns {
  const verify = ferry(['verify', ceb]);
  const profile = freshDir('profile');
  const importRun = ferry(['--profile', profile, 'backup', 'import', ceb]);
  const outDir = freshDir('created');
  const create = ferry(['--profile', profile, 'backup', 'create', '--out', outDir, '--keep', '1']);
  const name = readdirSync(outDir).find((f) => f.endsWith('.ceb'));
  if (name === undefined) throw new Error('backup create wrote no file');
  return { verify, importRun, create, created: join(outDir, name), profile };
}

const fmt = (n: number, digits = 1): string => n.toFixed(digits);

function table(messages: number): void {
  mkdirSync(OUT, { recursive: true });
  const { db, ceb, genSeconds } = referenceData(messages);
  const loadBefore = load();
  console.log(`uptime before: ${uptime()}\n`);
  const started = Date.now();
  const floor = measure(process.execPath, [FLOOR, ceb]);
  const { verify, importRun, create, created, profile } = ferryRuns(ceb);
  ferryRunsAt.set(messages, { verify, importRun, create });
  const refExportFile = join(freshDir('ref-export'), 'ref.ceb');
  const refExport = ref([
    'export',
    '--db',
    db,
    '--jid',
    JID,
    '--format',
    '2',
    '--out',
    refExportFile,
  ]);
  const refDb = join(freshDir('ref-import'), 'imported.db');
  // Conversations' importer reads ferry's file, strictly: the timing and the compatibility check.
  const refImport = ref([
    'import',
    '--ceb',
    created,
    '--password',
    PASSWORD,
    '--db',
    refDb,
    '--strict',
  ]);
  const refImportResult = JSON.parse(refImport.stdout.trim().split('\n').pop() ?? '{}') as {
    rows_not_restored?: number;
    messages_restored?: number;
  };
  const loadAfter = load();
  console.log(`uptime after: ${uptime()}\n`);
  const minutes = ((Date.now() - started) / 60000).toFixed(1);
  const ferrySize = statSync(created).size;
  const refSize = statSync(refExportFile).size;
  const plain = (JSON.parse(floor.stdout) as { plainBytes: number }).plainBytes;

  console.log(
    `## ${messages.toLocaleString('en-US')} messages (reference data: 60 conversations, OMEMO rows; ` +
      `file ${fmt(statSync(ceb).size / MIB)} MiB, body ${fmt(plain / MIB)} MiB${genSeconds ? `; generated in ${fmt(genSeconds)} s` : ''})\n`,
  );
  console.log(
    `Machine: ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'}, ${fmt(totalmem() / 1024 ** 3, 0)} GiB, Node ${process.versions.node}. ` +
      `Load average (1, 5, 15 min) before: ${loadBefore}; after: ${loadAfter}; the runs took ${minutes} min.\n`,
  );
  console.log('| operation | ferry | reference (JVM) | floor | ratio | goal |');
  console.log('|---|---:|---:|---:|---:|---|');
  const cell = (r: Run): string => `${fmt(r.seconds, 2)} s, ${fmt(r.rssMiB, 0)} MiB`;
  const ok = (good: boolean): string => (good ? 'met' : '**not met**');
  const vr = verify.seconds / floor.seconds;
  console.log(
    `| \`verify\` | ${cell(verify)} | – | ${cell(floor)} | ${fmt(vr, 2)} × floor | ≤ 2.5 × floor: ${ok(vr <= 2.5)} |`,
  );
  const ir = importRun.seconds / refImport.seconds;
  console.log(
    `| \`backup import\` (fresh profile) | ${cell(importRun)} | ${cell(refImport)} | – | ${fmt(ir, 2)} × reference | ≤ 0.2 × reference: ${ok(ir <= 0.2)} |`,
  );
  const cr = create.seconds / refExport.seconds;
  console.log(
    `| \`backup create\` (format 2) | ${cell(create)} | ${cell(refExport)} | – | ${fmt(cr, 2)} × reference | ≤ 0.5 × reference: ${ok(cr <= 0.5)} |`,
  );
  const peak = Math.max(verify.rssMiB, importRun.rssMiB, create.rssMiB);
  console.log(
    `| peak RSS, any of them | ${fmt(peak, 0)} MiB | ${fmt(Math.max(refImport.rssMiB, refExport.rssMiB), 0)} MiB | ${fmt(floor.rssMiB, 0)} MiB | – | ≤ 150 MB (143 MiB): ${ok(peak * MIB <= 150e6)} |`,
  );
  const sizeRatio = ferrySize / refSize;
  console.log(
    `\nBackup size: ferry ${ferrySize.toLocaleString('en-US')} bytes, reference ${refSize.toLocaleString('en-US')} bytes ` +
      `(${fmt((sizeRatio - 1) * 100)} %; goal within 10 %: ${ok(Math.abs(sizeRatio - 1) <= 0.1)}). ` +
      `The reference imported ferry's file with --strict: ${refImportResult.messages_restored ?? '?'} messages, ` +
      `${refImportResult.rows_not_restored ?? '?'} rows not restored.`,
  );
  rmSync(profile, { recursive: true, force: true });
  rmSync(refDb, { force: true });
}

/** ferry's peak RSS (and time) at each size: the memory column. */
function memory(sizes: number[]): void {
  console.log('\n| messages | verify | backup import | backup create | load before |');
  console.log('|---:|---:|---:|---:|---|');
  for (const messages of sizes) {
    const { ceb } = referenceData(messages);
    const loadBefore = load();
    const done = ferryRunsAt.get(messages);
    const { verify, importRun, create } = done ?? ferryRuns(ceb);
    const cell = (r: Run): string => `${fmt(r.rssMiB, 0)} MiB (${fmt(r.seconds, 1)} s)`;
    console.log(
      `| ${messages.toLocaleString('en-US')} | ${cell(verify)} | ${cell(importRun)} | ${cell(create)} | ${done ? "the table's runs" : loadBefore} |`,
    );
    rmSync(join(RUN, 'profile'), { recursive: true, force: true });
  }
}

const argv = process.argv.slice(2);
const memoryAt = argv.indexOf('--memory');
const sizes =
  memoryAt >= 0 ? (argv[memoryAt + 1] ?? '').split(',').map(Number).filter(Boolean) : [];
const rest = memoryAt >= 0 ? argv.filter((_, i) => i !== memoryAt && i !== memoryAt + 1) : argv;
const messages = Number(rest[0] ?? 1_000_000);
if (!existsSync(FERRY) || !existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) {
  throw new Error('build ferry first (npm run build): the table measures the built CLI');
}
if (!existsSync(REF)) {
  console.log(`The Conversations reference is not here (${REF}): set CEB_REF.`);
  process.exit(1);
}
if (messages > 0) table(messages);
if (sizes.length > 0) memory(sizes);
