// Runs the test files beside the code with node's test runner (TypeScript through tsx).
// `--unit` runs only *.test.ts; the default also runs *.itest.ts (real Prosody, Chromium, WebDAV).
import { spawnSync } from 'node:child_process';
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
// Unit test files need no server and share nothing: they run side by side, one per core. With
// integration tests (real servers, browsers, other programs) the files run one at a time.
const concurrency = unitOnly ? availableParallelism() : 1;
// The format package (`@ferry/ceb-format`, src/format) is loaded from its TypeScript sources (its
// `ferry-source` export condition), here and in every ferry the tests start (NODE_OPTIONS).
const SOURCES = '--conditions=ferry-source';
const env = { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} ${SOURCES}`.trim() };
const r = spawnSync(
  process.execPath,
  [
    SOURCES,
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${concurrency}`,
    '--test-reporter=spec',
    ...files,
  ],
  { stdio: 'inherit', env },
);
process.exit(r.status ?? 1);
