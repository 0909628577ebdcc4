// The README's examples, run as written: every ```ts block of README.md, in order, as a module of
// its own in an empty ES-module project (the current directory while they run) where this package is
// installed as a consumer would have it (node_modules/@ferry/ceb-format), so that the blocks import
// it by its name through its `exports`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));

function examples(): string[] {
  const readme = readFileSync(join(HERE, 'README.md'), 'utf8');
  return [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1] ?? '');
}

test('the README has examples of writing, reading, the errors and the entry points', () => {
  const all = examples().join('\n');
  assert.ok(examples().length >= 4);
  for (const name of ['writeBackupFile', 'openBackup', 'batches', 'WrongPasswordError']) {
    assert.ok(all.includes(name), name);
  }
  for (const block of examples()) assert.match(block, /from '@ferry\/ceb-format(\/[a-z-]+)?';/);
});

test("the README's examples run as written", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ceb-readme-'));
  const cwd = process.cwd();
  t.after(() => {
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
  });
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  mkdirSync(join(dir, 'node_modules', '@ferry'), { recursive: true });
  symlinkSync(HERE, join(dir, 'node_modules', '@ferry', 'ceb-format'), 'dir');
  process.chdir(dir);
  for (const [i, code] of examples().entries()) {
    const file = join(dir, `example-${i + 1}.ts`);
    writeFileSync(file, code);
    await t.test(`example ${i + 1}`, async () => {
      await import(pathToFileURL(file).href);
    });
  }
});
