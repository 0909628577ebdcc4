// Start-up of the `ferry` command: `--help` and `inspect FILE` as a ratio to a bare `node -e 0`,
// all measured in one run, interleaved (so a busy machine slows all three alike).
//   npm run build && npx tsx bench/startup.bench.ts [runs] [OTHER_TREE]      (default: 21)
// Runs the built command (bin/ferry.js → dist/bundle/), as an installed ferry runs. Prints a markdown
// table of the median wall time of each and its ratio to `node -e 0`. With OTHER_TREE (another
// built checkout, e.g. of an earlier commit), its two commands are measured in the same rounds.
// When NODE_EXTRA_CA_CERTS is set (a certificate bundle Node parses at every start, before any
// script: it can make a bare start several times slower), everything is measured a second time
// without it, in the same rounds, each against its own `node -e 0`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'ferry.js');
const BACKUP = join(ROOT, 'test-data', 'ceb', 'v2-alice.ceb');
const runs = Number(process.argv[2] ?? 21);
const other = process.argv[3];

if (!existsSync(join(ROOT, 'dist', 'bundle', 'ferry.js'))) {
  console.error('run `npm run build` first');
  process.exit(1);
}

const COMMANDS: { name: string; args: string[] }[] = [
  { name: '`node -e 0`', args: ['-e', '0'] },
  { name: '`ferry --help`', args: [BIN, '--help'] },
  { name: '`ferry inspect FILE`', args: [BIN, 'inspect', BACKUP] },
  ...(other
    ? [
        { name: '`ferry --help` (other tree)', args: [join(other, 'bin', 'ferry.js'), '--help'] },
        {
          name: '`ferry inspect FILE` (other tree)',
          args: [join(other, 'bin', 'ferry.js'), 'inspect', BACKUP],
        },
      ]
    : []),
];

const { NODE_EXTRA_CA_CERTS, ...withoutExtraCerts } = process.env;
const ENVIRONMENTS: { label: string; env: NodeJS.ProcessEnv }[] = [
  {
    label: NODE_EXTRA_CA_CERTS
      ? 'environment as is (NODE_EXTRA_CA_CERTS set)'
      : 'environment as is',
    env: process.env,
  },
  ...(NODE_EXTRA_CA_CERTS ? [{ label: 'NODE_EXTRA_CA_CERTS unset', env: withoutExtraCerts }] : []),
];
const CASES = ENVIRONMENTS.flatMap((e) =>
  COMMANDS.map((c) => ({ ...c, env: e.env, group: e.label })),
);

function once(args: string[], env: NodeJS.ProcessEnv): number {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'], env });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited with ${r.status}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const times = CASES.map(() => [] as number[]);
for (let i = 0; i < runs + 1; i++) {
  CASES.forEach((c, j) => {
    const ms = once(c.args, c.env);
    if (i > 0) times[j]?.push(ms); // the first round warms the file cache
  });
}
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};
console.log(`Node ${process.version}, ${runs} runs each, interleaved; median wall time`);
for (const e of ENVIRONMENTS) {
  const base = median(times[CASES.findIndex((c) => c.group === e.label)] ?? []);
  console.log(`\n${e.label}:\n`);
  console.log('| command | median | ratio to `node -e 0` |');
  console.log('|---|---:|---:|');
  CASES.forEach((c, j) => {
    if (c.group !== e.label) return;
    const m = median(times[j] ?? []);
    console.log(`| ${c.name} | ${m.toFixed(0)} ms | ${(m / base).toFixed(2)}× |`);
  });
}
