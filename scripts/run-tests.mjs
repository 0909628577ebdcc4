// Runs the test files beside the code with node's test runner (TypeScript through tsx).
// `--unit` runs only *.test.ts; the default also runs *.itest.ts (real Prosody, Chromium, WebDAV).
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

const unitOnly = process.argv.includes('--unit');
const filters = process.argv.slice(2).filter((a) => !a.startsWith('--'));

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.ts') || (!unitOnly && name.endsWith('.itest.ts'))) out.push(p);
  }
  return out;
}

const files = walk('src', [])
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
// The format package (`@ferry/ceb-format`, src/format) is loaded from its TypeScript sources (its
// `ferry-source` export condition), here and in every ferry the tests start (NODE_OPTIONS).
const SOURCES = '--conditions=ferry-source';
const env = { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} ${SOURCES}`.trim() };

if (unitOnly) process.exit(await runInShards(files));

// With integration tests (real servers, browsers, other programs) the files run one at a time,
// each in a process of its own.
const r = spawnSync(
  process.execPath,
  [SOURCES, '--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files],
  { stdio: 'inherit', env },
);
process.exit(r.status ?? 1);

/**
 * Unit test files need no server and share nothing: they run in one process per core (the files
 * dealt out in turn), so Node's and tsx's start-up is paid per core, not per file. Each process's
 * report is printed when it ends; the exit status is the first failing one's.
 */
async function runInShards(all) {
  const shards = Array.from({ length: Math.min(availableParallelism(), all.length) }, () => []);
  all.forEach((f, i) => shards[i % shards.length].push(f));
  const runs = shards.map(
    (shard) =>
      new Promise((done) => {
        const child = spawn(
          process.execPath,
          [
            SOURCES,
            '--import',
            'tsx',
            '--test-reporter=spec',
            'scripts/unit-tests-in-process.mjs',
            ...shard,
          ],
          { stdio: ['ignore', 'pipe', 'pipe'], env },
        );
        let output = '';
        child.stdout.on('data', (d) => (output += d));
        child.stderr.on('data', (d) => (output += d));
        child.on('close', (code) => {
          process.stdout.write(output);
          done(code ?? 1);
        });
      }),
  );
  const codes = await Promise.all(runs);
  return codes.find((c) => c !== 0) ?? 0;
}
