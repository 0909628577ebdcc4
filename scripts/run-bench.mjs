#!/usr/bin/env node
// Runs a benchmark from bench/:  npm run bench [-- NAME [ARGS…]]
// NAME is a file bench/NAME.bench.ts (default `table`: ferry against the Conversations reference
// and the floor, docs/performance.md). ferry is built first, since the table measures the built CLI.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const [name = 'table', ...args] = process.argv.slice(2);
const file = join(root, 'bench', `${name}.bench.ts`);
if (!existsSync(file)) {
  const names = readdirSync(join(root, 'bench'))
    .filter((f) => f.endsWith('.bench.ts'))
    .map((f) => f.slice(0, -'.bench.ts'.length));
  console.error(`no benchmark ${name}; there are: ${names.join(', ')}`);
  process.exit(2);
}
const build = spawnSync('npm', ['run', '--silent', 'build'], {
  cwd: root,
  stdio: 'inherit',
});
if (build.status !== 0) process.exit(build.status ?? 1);
const run = spawnSync(process.execPath, ['--import', 'tsx', file, ...args], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(run.status ?? 1);
