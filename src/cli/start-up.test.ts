import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// What a start of `ferry --help` and `ferry inspect FILE` loads, counted (not timed): the command
// is bundled as `npm run build` bundles it, into a folder of test-output/, and run as bin/ferry.js runs
// it, with a module hook that notes every module Node loads. The start-up figures in
// docs/performance.md hold only while these stay this small.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BACKUP = join(ROOT, 'test-data', 'ceb', 'v2-alice.ceb');

/** Notes the URL of every module loaded (ES modules and Node's own, as imported) in data.out. */
const RECORDER = `
import { appendFileSync } from 'node:fs';
let out;
export function initialize(data) { out = data.out; }
export async function load(url, context, next) {
  appendFileSync(out, url + '\\n');
  return next(url, context);
}`;

function bundled(): string {
  // Inside the checkout, so that the bundle finds the installed packages as dist/bundle does.
  mkdirSync(join(ROOT, 'test-output'), { recursive: true });
  const tree = mkdtempSync(join(ROOT, 'test-output', 'start-up-'));
  const built = spawnSync(
    process.execPath,
    [join(ROOT, 'scripts', 'build-cli.mjs'), join(tree, 'dist', 'bundle')],
    { encoding: 'utf8' },
  );
  assert.equal(built.status, 0, built.stderr);
  mkdirSync(join(tree, 'bin'));
  copyFileSync(join(ROOT, 'bin', 'ferry.js'), join(tree, 'bin', 'ferry.js'));
  return tree;
}

/** Runs the bundled `ferry ARGS` in TREE; the modules it loaded, ferry's files relative to TREE. */
function modulesLoaded(tree: string, args: string[]): { files: string[]; builtins: string[] } {
  const out = join(tree, `loaded-${args[0]}.txt`);
  const register =
    `import { register } from 'node:module';` +
    `register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(RECORDER)}`)}, ` +
    `{ data: { out: ${JSON.stringify(out)} } });`;
  const run = spawnSync(
    process.execPath,
    [
      '--import',
      `data:text/javascript,${encodeURIComponent(register)}`,
      join(tree, 'bin', 'ferry.js'),
      ...args,
    ],
    { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } },
  );
  assert.equal(run.status, 0, `ferry ${args.join(' ')}: ${run.stderr}`);
  assert.ok(run.stdout.length > 0, `ferry ${args.join(' ')} printed nothing`);
  const urls = readFileSync(out, 'utf8').trim().split('\n');
  const treeUrl = pathToFileURL(tree).href;
  return {
    files: urls
      .filter((u) => u.startsWith('file:'))
      .map((u) => (u.startsWith(treeUrl) ? relative(tree, fileURLToPath(u)) : fileURLToPath(u))),
    builtins: urls.filter((u) => u.startsWith('node:')),
  };
}

test('`ferry --help` and `ferry inspect FILE` load one or two bundled files, no package, no commander', () => {
  const tree = bundled();
  try {
    const help = modulesLoaded(tree, ['--help']);
    assert.deepEqual(help.files, ['bin/ferry.js', 'dist/bundle/ferry.js']);
    // node:v8 holds the young generation at its start size (bin/ferry.js).
    assert.deepEqual(help.builtins, ['node:v8']);

    const inspect = modulesLoaded(tree, ['inspect', BACKUP]);
    assert.deepEqual(inspect.files, [
      'bin/ferry.js',
      'dist/bundle/ferry.js',
      'dist/bundle/inspect-run.js',
    ]);
    // Reading a header takes the file system and nothing else of Node's (no streams, no crypto).
    assert.deepEqual(inspect.builtins, ['node:v8', 'node:fs', 'node:fs/promises']);

    // Any other command goes through commander, which is in the bundle too (and loads more).
    const other = modulesLoaded(tree, ['inspect', '--help']);
    assert.ok(other.files.includes('dist/bundle/main.js'), other.files.join(', '));
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
});

// Grows V8's young generation as a long job does (objects that survive a collection or two), a
// little at a time once the command is done, then reports its size.
const YOUNG_GENERATION_PROBE = `
import { getHeapSpaceStatistics } from 'node:v8';
let probed = false;
process.on('beforeExit', async () => {
  if (probed) return;
  probed = true;
  const kept = [];
  for (let round = 0; round < 30; round++) {
    for (let i = 0; i < 1e5; i++) {
      const o = { i, s: 'x' + i };
      if (i % 3 === 0) kept.push(o);
      if (kept.length > 200000) kept.length = 0;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const young = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
  process.stderr.write('young generation MiB: ' + young.space_size / 2 ** 20 + '\\n');
});`;

function youngGenerationMiB(args: string[]): number {
  const run = spawnSync(process.execPath, args, {
    encoding: 'utf8',
    env: {
      ...process.env,
      FERRY_PASSWORD: 'correct horse battery staple',
      NODE_OPTIONS: `--import=data:text/javascript,${encodeURIComponent(YOUNG_GENERATION_PROBE)}`,
    },
  });
  assert.equal(run.status, 0, `${args.join(' ')}: ${run.stderr}`);
  const size = /young generation MiB: ([\d.]+)/.exec(run.stderr)?.[1];
  assert.ok(size !== undefined, `${args.join(' ')}: ${run.stderr}`);
  return Number(size);
}

test('verify, backup import and backup create keep a small young generation; other commands Node’s default', () => {
  const tree = bundled();
  try {
    const program = join(tree, 'bin', 'ferry.js');
    const out = join(tree, 'rows.jsonl');
    // Node's default, and what ferry leaves to commands such as decrypt (and sync).
    const unbounded = youngGenerationMiB(['-e', '']);
    assert.ok(unbounded >= 32, `plain node: ${unbounded} MiB`);
    assert.equal(youngGenerationMiB([program, 'decrypt', BACKUP, '--out', out]), unbounded);
    // verify, import, create: at most 8 MiB (16 on Node 24, whose V8 grows it in larger steps).
    assert.ok(youngGenerationMiB([program, 'verify', BACKUP]) <= 16);
    const profile = join(tree, 'profile');
    assert.ok(
      youngGenerationMiB([program, '--profile', profile, 'backup', 'import', BACKUP]) <= 16,
    );
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
});
